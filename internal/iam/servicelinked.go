package iam

import (
	"context"
	"crypto/rand"
	"regexp"
	"strings"

	rwarn "github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/uuid"
)

// Service-linked roles as callers ask for them (CreateServiceLinkedRole, DeleteServiceLinkedRole,
// GetServiceLinkedRoleDeletionStatus): each AWS service names its role and the AWS managed policy
// the role gets ("AWS services that work with IAM", IAM User Guide, and each service's
// "Using service-linked roles" page). Rootward knows the services below; another name answers
// InvalidInput, as IAM does for a service that has no service-linked role.

// linkedService is what a service's service-linked role is.
type linkedService struct {
	roleName string
	// policy is the name of the AWS managed policy under /aws-service-role/ the role gets.
	policy string
	// suffix reports whether the service accepts a CustomSuffix (AWS Auto Scaling and a few
	// others, for more than one role of the service; IAM API Reference, CreateServiceLinkedRole:
	// "Not all services support custom suffixes").
	suffix bool
}

// linkedServices are the services Rootward creates service-linked roles for, by service
// principal. TestLinkedServicesPolicies checks that every policy is one of AWS's.
var linkedServices = map[string]linkedService{
	"access-analyzer.amazonaws.com":      {"AWSServiceRoleForAccessAnalyzer", "AccessAnalyzerServiceRolePolicy", false},
	"autoscaling.amazonaws.com":          {"AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy", true},
	"backup.amazonaws.com":               {"AWSServiceRoleForBackup", "AWSBackupServiceLinkedRolePolicyForBackup", false},
	"cloudtrail.amazonaws.com":           {"AWSServiceRoleForCloudTrail", "CloudTrailServiceRolePolicy", false},
	"config.amazonaws.com":               {"AWSServiceRoleForConfig", "AWSConfigServiceRolePolicy", false},
	"detective.amazonaws.com":            {"AWSServiceRoleForDetective", "AmazonDetectiveServiceLinkedRolePolicy", false},
	"ecs.amazonaws.com":                  {"AWSServiceRoleForECS", "AmazonECSServiceRolePolicy", false},
	"eks.amazonaws.com":                  {"AWSServiceRoleForAmazonEKS", "AmazonEKSServiceRolePolicy", false},
	"elasticloadbalancing.amazonaws.com": {"AWSServiceRoleForElasticLoadBalancing", "AWSElasticLoadBalancingServiceRolePolicy", false},
	"fms.amazonaws.com":                  {"AWSServiceRoleForFMS", "FMSServiceRolePolicy", false},
	"guardduty.amazonaws.com":            {"AWSServiceRoleForAmazonGuardDuty", "AmazonGuardDutyServiceRolePolicy", false},
	"inspector2.amazonaws.com":           {"AWSServiceRoleForAmazonInspector2", "AmazonInspector2ServiceRolePolicy", false},
	"ipam.amazonaws.com":                 {"AWSServiceRoleForIPAM", "AWSIPAMServiceRolePolicy", false},
	"macie.amazonaws.com":                {"AWSServiceRoleForAmazonMacie", "AmazonMacieServiceRolePolicy", false},
	"opensearchservice.amazonaws.com":    {"AWSServiceRoleForAmazonOpenSearchService", "AmazonOpenSearchServiceRolePolicy", false},
	"organizations.amazonaws.com":        {"AWSServiceRoleForOrganizations", "AWSOrganizationsServiceTrustPolicy", false},
	"ram.amazonaws.com":                  {"AWSServiceRoleForResourceAccessManager", "AWSResourceAccessManagerServiceRolePolicy", false},
	"rds.amazonaws.com":                  {"AWSServiceRoleForRDS", "AmazonRDSServiceRolePolicy", false},
	"securityhub.amazonaws.com":          {"AWSServiceRoleForSecurityHub", "AWSSecurityHubServiceRolePolicy", false},
	"spot.amazonaws.com":                 {"AWSServiceRoleForEC2Spot", "AWSEC2SpotServiceRolePolicy", false},
	"sso.amazonaws.com":                  {"AWSServiceRoleForSSO", "AWSSSOServiceRolePolicy", false},
	"ssm.amazonaws.com":                  {"AWSServiceRoleForAmazonSSM", "AmazonSSMServiceRolePolicy", false},
	"support.amazonaws.com":              {"AWSServiceRoleForSupport", "AWSSupportServiceRolePolicy", false},
	"trustedadvisor.amazonaws.com":       {"AWSServiceRoleForTrustedAdvisor", "AWSTrustedAdvisorServiceRolePolicy", false},
	"dynamodb.application-autoscaling.amazonaws.com": {"AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
		"AWSApplicationAutoscalingDynamoDBTablePolicy", false},
}

// LinkedServiceRole returns the role name a service's service-linked role has, false for a service
// Rootward does not know.
func LinkedServiceRole(service string) (string, bool) {
	ls, ok := linkedServices[service]
	return ls.roleName, ok
}

// customSuffixPattern is CustomSuffix's pattern and length (IAM API Reference,
// CreateServiceLinkedRole: 1–64, [\w+=,.@-]+).
var customSuffixPattern = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// CreateServiceLinkedRoleFor creates the service-linked role of an AWS service, as
// CreateServiceLinkedRole does: the service's role name (with _CustomSuffix where the service
// accepts one) under /aws-service-role/SERVICE/, trusting the service, with the service's AWS
// managed policy attached. Returns InvalidInput (an unknown service, a suffix the service does not
// accept, the name taken), ValidationError.
func (s *Service) CreateServiceLinkedRoleFor(ctx context.Context, account, service, description, suffix string) (*Role, error) {
	if len(service) > 128 || !serviceNamePattern.MatchString(service) {
		return nil, invalid("AWSServiceName", service, `Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	}
	if suffix != "" && !customSuffixPattern.MatchString(suffix) {
		return nil, invalid("CustomSuffix", suffix, `Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	}
	if err := checkDescription(description); err != nil {
		return nil, err
	}
	ls, ok := linkedServices[service]
	if !ok {
		// AWS's text for a service without a service-linked role is not documented; Rootward's.
		return nil, awserr.New(awserr.InvalidInput, "Service %s does not support service-linked roles.", service)
	}
	if suffix != "" && !ls.suffix {
		// AWS's text is not documented; Rootward's.
		return nil, awserr.New(awserr.InvalidInput, "Custom suffix is not allowed for %s.", service)
	}
	return s.CreateServiceLinkedRole(ctx, account, ServiceLinkedRoleInput{
		AWSServiceName: service, RoleName: ls.roleName, CustomSuffix: suffix, Description: description,
		PolicyARNs: []string{rwarn.AWSManagedPolicy(ServiceRolePath, ls.policy)},
	})
}

// deletionTask is a DeleteServiceLinkedRole task, under its ID: Rootward deletes the role at once
// (no service resource ever uses it), so a task is SUCCEEDED when it is recorded.
type deletionTask struct {
	Role   string `json:"role"`
	Status string `json:"status"`
}

var deletionTasks = store.Define(store.Kind[deletionTask]{Name: "slrdeletion", Version: 1})

// deletionTaskPattern is DeletionTaskId's pattern and length (IAM API Reference,
// GetServiceLinkedRoleDeletionStatus: 1–1000).
var deletionTaskPattern = regexp.MustCompile(`^[\w+=,.@:/-]{1,1000}$`)

// DeleteServiceLinkedRole deletes a service-linked role with its policies and returns the
// deletion task's ID, task/aws-service-role/SERVICE/ROLE/UUID as IAM forms it. Returns
// NoSuchEntity for a role that does not exist or is not service-linked.
func (s *Service) DeleteServiceLinkedRole(ctx context.Context, account, name string) (string, error) {
	if err := checkName("RoleName", name, 64); err != nil {
		return "", err
	}
	var task string
	err := s.update(ctx, account, func(t txn) error {
		r, err := t.role(account, name)
		if err != nil {
			return err
		}
		if !r.ServiceLinked {
			// AWS's text is not documented; Rootward's. NoSuchEntity is the operation's only
			// documented error that fits.
			return awserr.New(awserr.NoSuchEntity, "Role %s is not a service-linked role.", r.RoleName)
		}
		if in, err := t.roleInInstanceProfile(account, fold(name)); err != nil || in {
			if err == nil {
				err = awserr.New(awserr.DeleteConflict, "Cannot delete entity, must remove roles from instance profile first.")
			}
			return err
		}
		key := fold(name)
		items, err := attachments.Range(t, account, principalRoleT+sep+key+sep)("", 0)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := attachments.Delete(t, account, it.Key); err != nil {
				return err
			}
		}
		inline, err := inlines.Range(t, account, principalRoleT+sep+key+sep)("", 0)
		if err != nil {
			return err
		}
		for _, it := range append(items[:0:0], inline...) {
			if err := inlines.Delete(t, account, it.Key); err != nil {
				return err
			}
		}
		if err := roles.Delete(t, account, key); err != nil {
			return err
		}
		var id [16]byte
		if _, err := rand.Read(id[:]); err != nil {
			return err
		}
		id[6], id[8] = id[6]&0x0f|0x40, id[8]&0x3f|0x80 // a version 4 UUID (RFC 9562)
		task = "task" + strings.TrimSuffix(r.Path, "/") + "/" + r.RoleName + "/" + uuid.Format(id)
		return deletionTasks.Insert(t, account, task, &deletionTask{Role: r.RoleName, Status: "SUCCEEDED"})
	})
	return task, err
}

// ServiceLinkedRoleDeletionStatus returns a deletion task's status. Returns NoSuchEntity for an
// unknown task, ValidationError for a malformed ID.
func (s *Service) ServiceLinkedRoleDeletionStatus(ctx context.Context, account, task string) (string, error) {
	if task == "" {
		return "", missing("DeletionTaskId")
	}
	if !deletionTaskPattern.MatchString(task) {
		return "", invalid("DeletionTaskId", task, `Member must satisfy regular expression pattern: [\w+=,.@:\/-]+`)
	}
	var status string
	err := s.view(ctx, func(t txn) error {
		rec, ok, err := deletionTasks.Get(t, account, task)
		if err != nil {
			return err
		}
		if !ok {
			// AWS's text is not documented; Rootward's.
			return awserr.New(awserr.NoSuchEntity, "Deletion task %s does not exist.", task)
		}
		status = rec.Status
		return nil
	})
	return status, err
}
