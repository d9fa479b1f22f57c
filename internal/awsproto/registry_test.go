package awsproto

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	accttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	idstypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	mpatypes "github.com/aws/aws-sdk-go-v2/service/mpa/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	ssoadmintypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	supporttypes "github.com/aws/aws-sdk-go-v2/service/support/types"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/awserr"
)

// sdkErrors are the SDKs' error shapes of every code of awserr's iam.go, sts.go and
// organizations.go: their ErrorCode must be the constant's value and their ErrorFault the
// registry's fault.
var sdkErrors = map[awserr.Code][]smithy.APIError{
	awserr.ConcurrentModification:               {&iamtypes.ConcurrentModificationException{}},
	awserr.DeleteConflict:                       {&iamtypes.DeleteConflictException{}},
	awserr.DuplicateCertificate:                 {&iamtypes.DuplicateCertificateException{}},
	awserr.EntityAlreadyExists:                  {&iamtypes.EntityAlreadyExistsException{}},
	awserr.EntityTemporarilyUnmodifiable:        {&iamtypes.EntityTemporarilyUnmodifiableException{}},
	awserr.InvalidAuthenticationCode:            {&iamtypes.InvalidAuthenticationCodeException{}},
	awserr.InvalidCertificate:                   {&iamtypes.InvalidCertificateException{}},
	awserr.InvalidInput:                         {&iamtypes.InvalidInputException{}},
	awserr.InvalidUserType:                      {&iamtypes.InvalidUserTypeException{}},
	awserr.LimitExceeded:                        {&iamtypes.LimitExceededException{}},
	awserr.MalformedCertificate:                 {&iamtypes.MalformedCertificateException{}},
	awserr.MalformedPolicyDocument:              {&iamtypes.MalformedPolicyDocumentException{}, &ststypes.MalformedPolicyDocumentException{}},
	awserr.NoSuchEntity:                         {&iamtypes.NoSuchEntityException{}},
	awserr.PasswordPolicyViolation:              {&iamtypes.PasswordPolicyViolationException{}},
	awserr.ReportExpired:                        {&iamtypes.CredentialReportExpiredException{}},
	awserr.ReportNotPresent:                     {&iamtypes.CredentialReportNotPresentException{}},
	awserr.ServiceFailure:                       {&iamtypes.ServiceFailureException{}},
	awserr.UnmodifiableEntity:                   {&iamtypes.UnmodifiableEntityException{}},
	awserr.DuplicateSSHPublicKey:                {&iamtypes.DuplicateSSHPublicKeyException{}},
	awserr.InvalidPublicKey:                     {&iamtypes.InvalidPublicKeyException{}},
	awserr.KeyPairMismatch:                      {&iamtypes.KeyPairMismatchException{}},
	awserr.NotSupportedService:                  {&iamtypes.ServiceNotSupportedException{}},
	awserr.FeatureDisabled:                      {&iamtypes.FeatureDisabledException{}},
	awserr.FeatureEnabled:                       {&iamtypes.FeatureEnabledException{}},
	awserr.RoleTemplateDisabled:                 {&iamtypes.RoleTemplateDisabledException{}},
	awserr.UnrecognizedPublicKeyEncoding:        {&iamtypes.UnrecognizedPublicKeyEncodingException{}},
	awserr.AccountNotManagementOrDelegatedAdmin: {&iamtypes.AccountNotManagementOrDelegatedAdministratorException{}},
	awserr.CallerIsNotManagementAccount:         {&iamtypes.CallerIsNotManagementAccountException{}},
	awserr.OrganizationNotFound:                 {&iamtypes.OrganizationNotFoundException{}},
	awserr.OrganizationNotInAllFeatures:         {&iamtypes.OrganizationNotInAllFeaturesModeException{}, &cttypes.OrganizationNotInAllFeaturesModeException{}},
	awserr.ServiceAccessNotEnabled:              {&iamtypes.ServiceAccessNotEnabledException{}},

	awserr.IDPRejectedClaim:                      {&ststypes.IDPRejectedClaimException{}},
	awserr.ExpiredTokenException:                 {&ststypes.ExpiredTokenException{}},
	awserr.IDPCommunicationError:                 {&ststypes.IDPCommunicationErrorException{}},
	awserr.InvalidIdentityToken:                  {&ststypes.InvalidIdentityTokenException{}},
	awserr.PackedPolicyTooLarge:                  {&ststypes.PackedPolicyTooLargeException{}},
	awserr.RegionDisabled:                        {&ststypes.RegionDisabledException{}},
	awserr.InvalidAuthorizationMessage:           {&ststypes.InvalidAuthorizationMessageException{}},
	awserr.ExpiredTradeInToken:                   {&ststypes.ExpiredTradeInTokenException{}},
	awserr.OutboundWebIdentityFederationDisabled: {&ststypes.OutboundWebIdentityFederationDisabledException{}},
	awserr.JWTPayloadSizeExceeded:                {&ststypes.JWTPayloadSizeExceededException{}},
	awserr.SessionDurationEscalation:             {&ststypes.SessionDurationEscalationException{}},

	awserr.CTInvalidLookupAttributes:     {&cttypes.InvalidLookupAttributesException{}},
	awserr.CTInvalidTimeRange:            {&cttypes.InvalidTimeRangeException{}},
	awserr.CTInvalidMaxResults:           {&cttypes.InvalidMaxResultsException{}},
	awserr.CTInvalidNextToken:            {&cttypes.InvalidNextTokenException{}, &cfgtypes.InvalidNextTokenException{}},
	awserr.CTInvalidEventCategory:        {&cttypes.InvalidEventCategoryException{}},
	awserr.CTTrailAlreadyExists:          {&cttypes.TrailAlreadyExistsException{}},
	awserr.CTTrailNotFound:               {&cttypes.TrailNotFoundException{}},
	awserr.CTInvalidTrailName:            {&cttypes.InvalidTrailNameException{}},
	awserr.CTInvalidS3BucketName:         {&cttypes.InvalidS3BucketNameException{}},
	awserr.CTInvalidS3Prefix:             {&cttypes.InvalidS3PrefixException{}},
	awserr.CTInvalidParameter:            {&cttypes.InvalidParameterException{}, &mpatypes.InvalidParameterException{}},
	awserr.CTInvalidParameterCombination: {&cttypes.InvalidParameterCombinationException{}},
	awserr.CTInvalidHomeRegion:           {&cttypes.InvalidHomeRegionException{}},
	awserr.CTMaximumNumberOfTrails:       {&cttypes.MaximumNumberOfTrailsExceededException{}},
	awserr.CTOrganizationsNotInUse:       {&cttypes.OrganizationsNotInUseException{}},
	awserr.CTAccessNotEnabled:            {&cttypes.CloudTrailAccessNotEnabledException{}},
	awserr.CTNotOrganizationMaster:       {&cttypes.NotOrganizationMasterAccountException{}},
	awserr.CTInvalidTagParameter:         {&cttypes.InvalidTagParameterException{}},
	awserr.CTTagsLimitExceeded:           {&cttypes.TagsLimitExceededException{}},
	awserr.CTResourceNotFound:            {&cttypes.ResourceNotFoundException{}, &accttypes.ResourceNotFoundException{}, &shtypes.ResourceNotFoundException{}, &mpatypes.ResourceNotFoundException{}},
	awserr.CTResourceTypeNotSupported:    {&cttypes.ResourceTypeNotSupportedException{}},
	awserr.CTARNInvalid:                  {&cttypes.CloudTrailARNInvalidException{}},

	awserr.ConfigInvalidLimit:                   {&cfgtypes.InvalidLimitException{}},
	awserr.ConfigLimitExceeded:                  {&cfgtypes.LimitExceededException{}},
	awserr.ConfigResourceInUse:                  {&cfgtypes.ResourceInUseException{}},
	awserr.ConfigInsufficientPermissions:        {&cfgtypes.InsufficientPermissionsException{}},
	awserr.ConfigNoSuchConfigRule:               {&cfgtypes.NoSuchConfigRuleException{}},
	awserr.ConfigMaxConfigRules:                 {&cfgtypes.MaxNumberOfConfigRulesExceededException{}},
	awserr.ConfigNoAvailableRecorder:            {&cfgtypes.NoAvailableConfigurationRecorderException{}},
	awserr.ConfigNoSuchRecorder:                 {&cfgtypes.NoSuchConfigurationRecorderException{}},
	awserr.ConfigInvalidRecorderName:            {&cfgtypes.InvalidConfigurationRecorderNameException{}},
	awserr.ConfigMaxRecorders:                   {&cfgtypes.MaxNumberOfConfigurationRecordersExceededException{}},
	awserr.ConfigInvalidRole:                    {&cfgtypes.InvalidRoleException{}},
	awserr.ConfigInvalidRecordingGroup:          {&cfgtypes.InvalidRecordingGroupException{}},
	awserr.ConfigNoAvailableDeliveryChannel:     {&cfgtypes.NoAvailableDeliveryChannelException{}},
	awserr.ConfigNoSuchDeliveryChannel:          {&cfgtypes.NoSuchDeliveryChannelException{}},
	awserr.ConfigInvalidDeliveryChannelName:     {&cfgtypes.InvalidDeliveryChannelNameException{}},
	awserr.ConfigMaxDeliveryChannels:            {&cfgtypes.MaxNumberOfDeliveryChannelsExceededException{}},
	awserr.ConfigNoSuchBucket:                   {&cfgtypes.NoSuchBucketException{}},
	awserr.ConfigLastDeliveryChannelDelete:      {&cfgtypes.LastDeliveryChannelDeleteFailedException{}},
	awserr.ConfigNoRunningRecorder:              {&cfgtypes.NoRunningConfigurationRecorderException{}},
	awserr.ConfigOrganizationAccessDenied:       {&cfgtypes.OrganizationAccessDeniedException{}},
	awserr.ConfigNoAvailableOrganization:        {&cfgtypes.NoAvailableOrganizationException{}},
	awserr.ConfigOrganizationAllFeaturesMissing: {&cfgtypes.OrganizationAllFeaturesNotEnabledException{}},
	awserr.ConfigNoSuchOrganizationConfigRule:   {&cfgtypes.NoSuchOrganizationConfigRuleException{}},
	awserr.ConfigMaxOrganizationConfigRules:     {&cfgtypes.MaxNumberOfOrganizationConfigRulesExceededException{}},
	awserr.ConfigNoSuchAggregator:               {&cfgtypes.NoSuchConfigurationAggregatorException{}},

	awserr.OrgsAccessDenied:               {&orgtypes.AccessDeniedException{}, &accttypes.AccessDeniedException{}, &shtypes.AccessDeniedException{}, &mpatypes.AccessDeniedException{}},
	awserr.OrgsNotInUse:                   {&orgtypes.AWSOrganizationsNotInUseException{}},
	awserr.OrgsAlreadyInOrganization:      {&orgtypes.AlreadyInOrganizationException{}},
	awserr.OrgsAccountNotFound:            {&orgtypes.AccountNotFoundException{}},
	awserr.OrgsAccountAlreadyClosed:       {&orgtypes.AccountAlreadyClosedException{}},
	awserr.OrgsAccountAlreadyRegistered:   {&orgtypes.AccountAlreadyRegisteredException{}},
	awserr.OrgsAccountNotRegistered:       {&orgtypes.AccountNotRegisteredException{}},
	awserr.OrgsChildNotFound:              {&orgtypes.ChildNotFoundException{}},
	awserr.OrgsConstraintViolation:        {&orgtypes.ConstraintViolationException{}},
	awserr.OrgsCreateStatusNotFound:       {&orgtypes.CreateAccountStatusNotFoundException{}},
	awserr.OrgsDestinationParentNotFound:  {&orgtypes.DestinationParentNotFoundException{}},
	awserr.OrgsDuplicateAccount:           {&orgtypes.DuplicateAccountException{}},
	awserr.OrgsDuplicateHandshake:         {&orgtypes.DuplicateHandshakeException{}},
	awserr.OrgsDuplicateOU:                {&orgtypes.DuplicateOrganizationalUnitException{}},
	awserr.OrgsDuplicatePolicy:            {&orgtypes.DuplicatePolicyException{}},
	awserr.OrgsDuplicatePolicyAttachment:  {&orgtypes.DuplicatePolicyAttachmentException{}},
	awserr.OrgsHandshakeAlreadyInState:    {&orgtypes.HandshakeAlreadyInStateException{}},
	awserr.OrgsHandshakeConstraint:        {&orgtypes.HandshakeConstraintViolationException{}},
	awserr.OrgsHandshakeNotFound:          {&orgtypes.HandshakeNotFoundException{}},
	awserr.OrgsInvalidHandshakeTransition: {&orgtypes.InvalidHandshakeTransitionException{}},
	awserr.OrgsInvalidInput:               {&orgtypes.InvalidInputException{}, &shtypes.InvalidInputException{}},
	awserr.OrgsMalformedPolicy:            {&orgtypes.MalformedPolicyDocumentException{}},
	awserr.OrgsMasterCannotLeave:          {&orgtypes.MasterCannotLeaveOrganizationException{}},
	awserr.OrgsOrganizationNotEmpty:       {&orgtypes.OrganizationNotEmptyException{}},
	awserr.OrgsOUNotEmpty:                 {&orgtypes.OrganizationalUnitNotEmptyException{}},
	awserr.OrgsOUNotFound:                 {&orgtypes.OrganizationalUnitNotFoundException{}},
	awserr.OrgsParentNotFound:             {&orgtypes.ParentNotFoundException{}},
	awserr.OrgsPolicyInUse:                {&orgtypes.PolicyInUseException{}},
	awserr.OrgsPolicyNotAttached:          {&orgtypes.PolicyNotAttachedException{}},
	awserr.OrgsPolicyNotFound:             {&orgtypes.PolicyNotFoundException{}},
	awserr.OrgsPolicyTypeAlreadyEnabled:   {&orgtypes.PolicyTypeAlreadyEnabledException{}},
	awserr.OrgsPolicyTypeNotAvailable:     {&orgtypes.PolicyTypeNotAvailableForOrganizationException{}},
	awserr.OrgsPolicyTypeNotEnabled:       {&orgtypes.PolicyTypeNotEnabledException{}},
	awserr.OrgsRootNotFound:               {&orgtypes.RootNotFoundException{}},
	awserr.OrgsSourceParentNotFound:       {&orgtypes.SourceParentNotFoundException{}},
	awserr.OrgsTargetNotFound:             {&orgtypes.TargetNotFoundException{}},
	awserr.OrgsEffectivePolicyNotFound:    {&orgtypes.EffectivePolicyNotFoundException{}},
	awserr.OrgsResourcePolicyNotFound:     {&orgtypes.ResourcePolicyNotFoundException{}},
	awserr.OrgsUnsupportedAPIEndpoint:     {&orgtypes.UnsupportedAPIEndpointException{}},

	awserr.GuardDutyBadRequest:         {&gdtypes.BadRequestException{}},
	awserr.SecurityHubInvalidAccess:    {&shtypes.InvalidAccessException{}},
	awserr.SecurityHubResourceConflict: {&shtypes.ResourceConflictException{}},
	awserr.SecurityHubInternal:         {&shtypes.InternalException{}},
	awserr.SupportInternalServerError:  {&supporttypes.InternalServerError{}},
	awserr.GuardDutyInternalServer:     {&gdtypes.InternalServerErrorException{}},

	awserr.AcctValidation:      {&accttypes.ValidationException{}, &cfgtypes.ValidationException{}, &mpatypes.ValidationException{}, &ssoadmintypes.ValidationException{}, &idstypes.ValidationException{}},
	awserr.AcctConflict:        {&accttypes.ConflictException{}, &mpatypes.ConflictException{}, &ssoadmintypes.ConflictException{}, &idstypes.ConflictException{}},
	awserr.AcctTooManyRequests: {&accttypes.TooManyRequestsException{}},
	awserr.AcctInternalServer:  {&accttypes.InternalServerException{}, &mpatypes.InternalServerException{}},

	awserr.MPAServiceQuotaExceeded:   {&mpatypes.ServiceQuotaExceededException{}, &ssoadmintypes.ServiceQuotaExceededException{}, &idstypes.ServiceQuotaExceededException{}},
	awserr.MPAThrottling:             {&mpatypes.ThrottlingException{}, &ssoadmintypes.ThrottlingException{}, &idstypes.ThrottlingException{}},
	awserr.MPATooManyTags:            {&mpatypes.TooManyTagsException{}},
	awserr.OIDCAuthorizationPending:  {&oidctypes.AuthorizationPendingException{}},
	awserr.OIDCSlowDown:              {&oidctypes.SlowDownException{}},
	awserr.OIDCInvalidClient:         {&oidctypes.InvalidClientException{}},
	awserr.OIDCInvalidGrant:          {&oidctypes.InvalidGrantException{}},
	awserr.OIDCUnsupportedGrantType:  {&oidctypes.UnsupportedGrantTypeException{}},
	awserr.OIDCInvalidClientMetadata: {&oidctypes.InvalidClientMetadataException{}},
	awserr.OIDCInvalidScope:          {&oidctypes.InvalidScopeException{}},
	awserr.OIDCUnauthorizedClient:    {&oidctypes.UnauthorizedClientException{}},
	awserr.SSOInvalidRequest:         {&oidctypes.InvalidRequestException{}, &ssotypes.InvalidRequestException{}},
	awserr.SSOUnauthorized:           {&ssotypes.UnauthorizedException{}},
}

// codeConst is a constant of type awserr.Code as declared in internal/awserr's source.
type codeConst struct {
	name, file string
	value      awserr.Code
}

// awserrCodes reads the Code constants out of internal/awserr's source, so that a constant added
// there without a registration fails the test.
func awserrCodes(t *testing.T) []codeConst {
	t.Helper()
	files, err := filepath.Glob("../awserr/*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []codeConst
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				v := spec.(*ast.ValueSpec)
				if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Code" {
					continue
				}
				for i, name := range v.Names {
					lit, ok := v.Values[i].(*ast.BasicLit)
					if !ok {
						t.Fatalf("%s: %s is not a string literal", path, name.Name)
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, codeConst{name.Name, filepath.Base(path), awserr.Code(s)})
				}
			}
		}
	}
	if len(out) < 50 {
		t.Fatalf("read only %d codes from internal/awserr", len(out))
	}
	return out
}

func TestEveryCodeIsRegistered(t *testing.T) {
	consts := awserrCodes(t)
	declared := map[awserr.Code]bool{}
	for _, c := range consts {
		declared[c.value] = true
		info, ok := registry[c.value]
		if !ok {
			t.Errorf("awserr.%s (%s) is not registered in awsproto", c.name, c.file)
			continue
		}
		if (info.status >= 500) != (info.fault == FaultServer) {
			t.Errorf("awserr.%s: got status %d with fault %s, want 5xx exactly for server faults", c.name, info.status, info.fault)
		}
		if info.status < 400 || info.status > 599 {
			t.Errorf("awserr.%s: got status %d, want 4xx or 5xx", c.name, info.status)
		}
		sdk, fromSDK := sdkErrors[c.value]
		if c.file != "common.go" && c.file != "awserr.go" && !fromSDK {
			t.Errorf("awserr.%s (%s) has no SDK error shape in sdkErrors", c.name, c.file)
		}
		for _, e := range sdk {
			if got := e.ErrorCode(); got != string(c.value) {
				t.Errorf("awserr.%s: got SDK code %s (%T), want %s", c.name, got, e, c.value)
			}
			if got := e.ErrorFault().String(); got != string(info.fault) {
				t.Errorf("awserr.%s: got registered fault %s, want the SDK's %s (%T)", c.name, info.fault, got, e)
			}
		}
	}
	for code := range registry {
		if !declared[code] {
			t.Errorf("registered code %s is no constant of internal/awserr", code)
		}
	}
	for code := range sdkErrors {
		if !declared[code] {
			t.Errorf("sdkErrors names %s, no constant of internal/awserr", code)
		}
	}
}

func TestStatusAndFault(t *testing.T) {
	tests := []struct {
		name       string
		err        *awserr.Error
		wantStatus int
		wantSender bool
	}{
		{"registered client code", awserr.New(awserr.NoSuchEntity, "x"), http.StatusNotFound, true},
		{"registered server code", awserr.New(awserr.ServiceFailure, "x"), http.StatusInternalServerError, false},
		{"organizations code", awserr.New(awserr.OrgsNotInUse, "x"), http.StatusBadRequest, true},
		{"override keeps the code's fault", &awserr.Error{Code: awserr.Throttling, Status: http.StatusTooManyRequests}, http.StatusTooManyRequests, true},
		{"unregistered code", awserr.New("SomethingElse", "x"), http.StatusBadRequest, true},
		{"unregistered code with a 5xx override", &awserr.Error{Code: "SomethingElse", Status: http.StatusServiceUnavailable}, http.StatusServiceUnavailable, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Status(tc.err); got != tc.wantStatus {
				t.Errorf("got status %d, want %d", got, tc.wantStatus)
			}
			if got := Sender(tc.err); got != tc.wantSender {
				t.Errorf("got sender %v, want %v", got, tc.wantSender)
			}
		})
	}
}
