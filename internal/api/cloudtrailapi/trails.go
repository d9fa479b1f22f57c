package cloudtrailapi

import (
	"strings"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/cloudtrail"
)

// Trails and their logging. Each action on a trail is authorized on the trail's ARN (the Service
// Authorization Reference's resource type "trail", arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME)
// with aws:ResourceTag/* of the trail; CreateTrail also with aws:RequestTag/* and aws:TagKeys of
// its TagsList. DescribeTrails and ListTrails name no resource ("*").

var (
	CreateTrail = api.Add(&ops, &api.Op[CreateTrailInput, TrailOutput]{
		Name: "CreateTrail", Authorize: on(func(in *CreateTrailInput) target { return target{name: in.Name, tags: in.TagsList} }),
		Run: createTrail})
	UpdateTrail = api.Add(&ops, &api.Op[UpdateTrailInput, TrailOutput]{
		Name: "UpdateTrail", Authorize: on(func(in *UpdateTrailInput) target { return target{name: in.Name} }),
		Run: updateTrail})
	GetTrail = api.Add(&ops, &api.Op[NameInput, GetTrailOutput]{
		Name: "GetTrail", Authorize: on(nameTarget), Run: getTrail})
	DescribeTrails = api.Add(&ops, &api.Op[DescribeTrailsInput, DescribeTrailsOutput]{
		Name: "DescribeTrails", Run: describeTrails})
	ListTrails = api.Add(&ops, &api.Op[ListTrailsInput, ListTrailsOutput]{
		Name: "ListTrails", Run: listTrails})
	DeleteTrail = api.Add(&ops, &api.Op[NameInput, struct{}]{
		Name: "DeleteTrail", Authorize: on(nameTarget), Run: deleteTrail})
	StartLogging = api.Add(&ops, &api.Op[NameInput, struct{}]{
		Name: "StartLogging", Authorize: on(nameTarget), Run: logging(true)})
	StopLogging = api.Add(&ops, &api.Op[NameInput, struct{}]{
		Name: "StopLogging", Authorize: on(nameTarget), Run: logging(false)})
	GetTrailStatus = api.Add(&ops, &api.Op[NameInput, GetTrailStatusOutput]{
		Name: "GetTrailStatus", Authorize: on(nameTarget), Run: getTrailStatus})
	ListPublicKeys = api.Add(&ops, &api.Op[ListPublicKeysInput, ListPublicKeysOutput]{
		Name: "ListPublicKeys", Run: listPublicKeys})
)

// NameInput names a trail by name or ARN (GetTrail, DeleteTrail, StartLogging, StopLogging,
// GetTrailStatus).
type NameInput struct {
	Name string
}

func nameTarget(in *NameInput) target { return target{name: in.Name} }

// trailMembers are the members CreateTrail and UpdateTrail share. SnsTopicName,
// CloudWatchLogsLogGroupArn, CloudWatchLogsRoleArn and KmsKeyId name services Rootward does not
// deliver trails to; a request that sets one is refused rather than silently ignored.
type trailMembers struct {
	S3BucketName               *string
	S3KeyPrefix                *string
	IncludeGlobalServiceEvents *bool
	IsMultiRegionTrail         *bool
	EnableLogFileValidation    *bool
	IsOrganizationTrail        *bool
	SnsTopicName               *string
	CloudWatchLogsLogGroupArn  *string
	CloudWatchLogsRoleArn      *string
	KmsKeyId                   *string
}

func (m *trailMembers) input() (cloudtrail.TrailInput, error) {
	for _, u := range []struct {
		v    *string
		name string
	}{{m.SnsTopicName, "SnsTopicName"}, {m.CloudWatchLogsLogGroupArn, "CloudWatchLogsLogGroupArn"}, {m.CloudWatchLogsRoleArn, "CloudWatchLogsRoleArn"}, {m.KmsKeyId, "KmsKeyId"}} {
		if u.v != nil && *u.v != "" {
			// Rootward's choice: CloudTrail has no code for "not served here".
			return cloudtrail.TrailInput{}, awserr.New(awserr.CTInvalidParameter, "%s is not supported: Rootward writes trail log files to its trail directory only (no Amazon SNS notification, CloudWatch Logs or KMS encryption).", u.name)
		}
	}
	return cloudtrail.TrailInput{
		S3BucketName: m.S3BucketName, S3KeyPrefix: m.S3KeyPrefix, IncludeGlobalServiceEvents: m.IncludeGlobalServiceEvents,
		IsMultiRegionTrail: m.IsMultiRegionTrail, EnableLogFileValidation: m.EnableLogFileValidation,
		IsOrganizationTrail: m.IsOrganizationTrail,
	}, nil
}

type CreateTrailInput struct {
	Name string
	trailMembers
	TagsList []Tag
}

type UpdateTrailInput struct {
	Name string
	trailMembers
}

// TrailOutput is the API's Trail: CreateTrail's and UpdateTrail's result, and the element of
// GetTrail and DescribeTrails.
type TrailOutput struct {
	Name                       string
	S3BucketName               string
	S3KeyPrefix                string `json:",omitempty"`
	IncludeGlobalServiceEvents bool
	IsMultiRegionTrail         bool
	HomeRegion                 string
	TrailARN                   string
	LogFileValidationEnabled   bool
	HasCustomEventSelectors    bool
	HasInsightSelectors        bool
	IsOrganizationTrail        bool
}

func trailOut(t *cloudtrail.Trail) TrailOutput {
	return TrailOutput{
		Name: t.Name, S3BucketName: t.S3BucketName, S3KeyPrefix: t.S3KeyPrefix,
		IncludeGlobalServiceEvents: t.IncludeGlobalServiceEvents, IsMultiRegionTrail: t.IsMultiRegionTrail,
		HomeRegion: t.HomeRegion, TrailARN: t.ARN, LogFileValidationEnabled: t.LogFileValidationEnabled,
		IsOrganizationTrail: t.IsOrganizationTrail,
	}
}

type GetTrailOutput struct {
	Trail TrailOutput
}

// DescribeTrailsInput's members are spelled in lower camel case on the wire, as the API has them.
type DescribeTrailsInput struct {
	TrailNameList       []string `json:"trailNameList"`
	IncludeShadowTrails *bool    `json:"includeShadowTrails"`
}

type DescribeTrailsOutput struct {
	TrailList []TrailOutput `json:"trailList"`
}

// ListTrailsInput pages, although an account has at most five trails: a NextToken Rootward did
// not issue is refused.
type ListTrailsInput struct {
	NextToken string `page:"token"`
}

// TrailInfo is the API's TrailInfo.
type TrailInfo struct {
	TrailARN   string
	Name       string
	HomeRegion string
}

type ListTrailsOutput struct {
	Trails    []TrailInfo
	NextToken *string `json:",omitempty" page:"token"`
}

// GetTrailStatusOutput is GetTrailStatus' result. TimeLoggingStarted and TimeLoggingStopped are
// the same times as strings, which the API keeps beside StartLoggingTime and StopLoggingTime.
type GetTrailStatusOutput struct {
	IsLogging                 bool
	LatestDeliveryTime        *Timestamp `json:",omitempty"`
	LatestDeliveryError       *string    `json:",omitempty"`
	LatestDigestDeliveryTime  *Timestamp `json:",omitempty"`
	LatestDigestDeliveryError *string    `json:",omitempty"`
	StartLoggingTime          *Timestamp `json:",omitempty"`
	StopLoggingTime           *Timestamp `json:",omitempty"`
	TimeLoggingStarted        *string    `json:",omitempty"`
	TimeLoggingStopped        *string    `json:",omitempty"`
}

type ListPublicKeysInput struct {
	StartTime *Timestamp
	EndTime   *Timestamp
	NextToken string `page:"token"`
}

// PublicKey is the API's PublicKey; Value is a blob, base64 in JSON.
type PublicKey struct {
	Value             []byte
	ValidityStartTime Timestamp
	ValidityEndTime   Timestamp
	Fingerprint       string
}

type ListPublicKeysOutput struct {
	PublicKeyList []PublicKey
	NextToken     *string `json:",omitempty" page:"token"`
}

func createTrail(c *api.Call, in *CreateTrailInput) (*TrailOutput, error) {
	ti, err := in.input()
	if err != nil {
		return nil, err
	}
	ti.Tags = tagsIn(in.TagsList)
	t, err := c.CloudTrail.CreateTrail(c.Ctx, c.Account(), c.Region, in.Name, ti)
	if err != nil {
		return nil, err
	}
	out := trailOut(t)
	return &out, nil
}

func updateTrail(c *api.Call, in *UpdateTrailInput) (*TrailOutput, error) {
	ti, err := in.input()
	if err != nil {
		return nil, err
	}
	t, err := c.CloudTrail.UpdateTrail(c.Ctx, c.Account(), c.Region, in.Name, ti)
	if err != nil {
		return nil, err
	}
	out := trailOut(t)
	return &out, nil
}

func getTrail(c *api.Call, in *NameInput) (*GetTrailOutput, error) {
	t, err := c.CloudTrail.GetTrail(c.Ctx, c.Account(), c.Region, in.Name)
	if err != nil {
		return nil, err
	}
	return &GetTrailOutput{Trail: trailOut(t)}, nil
}

func describeTrails(c *api.Call, in *DescribeTrailsInput) (*DescribeTrailsOutput, error) {
	shadow := in.IncludeShadowTrails == nil || *in.IncludeShadowTrails
	ts, err := c.CloudTrail.DescribeTrails(c.Ctx, c.Account(), c.Region, in.TrailNameList, shadow)
	if err != nil {
		return nil, err
	}
	out := &DescribeTrailsOutput{TrailList: make([]TrailOutput, 0, len(ts))}
	for _, t := range ts {
		out.TrailList = append(out.TrailList, trailOut(t))
	}
	return out, nil
}

func listTrails(c *api.Call, _ *ListTrailsInput) (*ListTrailsOutput, error) {
	ts, err := c.CloudTrail.Trails(c.Ctx, c.Account(), true)
	if err != nil {
		return nil, err
	}
	out := &ListTrailsOutput{Trails: make([]TrailInfo, 0, len(ts))}
	for _, t := range ts {
		out.Trails = append(out.Trails, TrailInfo{t.ARN, t.Name, t.HomeRegion})
	}
	return out, nil
}

func deleteTrail(c *api.Call, in *NameInput) (*struct{}, error) {
	return nil, c.CloudTrail.DeleteTrail(c.Ctx, c.Account(), c.Region, in.Name)
}

func logging(on bool) func(c *api.Call, in *NameInput) (*struct{}, error) {
	return func(c *api.Call, in *NameInput) (*struct{}, error) {
		return nil, c.CloudTrail.SetLogging(c.Ctx, c.Account(), c.Region, in.Name, on)
	}
}

func getTrailStatus(c *api.Call, in *NameInput) (*GetTrailStatusOutput, error) {
	t, err := c.CloudTrail.GetTrail(c.Ctx, c.Account(), c.Region, in.Name)
	if err != nil {
		return nil, err
	}
	d := t.Delivery
	out := &GetTrailStatusOutput{
		IsLogging: t.IsLogging, StartLoggingTime: timestampPtr(t.StartLoggingTime), StopLoggingTime: timestampPtr(t.StopLoggingTime),
		LatestDeliveryTime: timestampPtr(&d.LatestDeliveryTime), LatestDigestDeliveryTime: timestampPtr(&d.LatestDigestDeliveryTime),
		TimeLoggingStarted: timeString(t.StartLoggingTime), TimeLoggingStopped: timeString(t.StopLoggingTime),
	}
	if d.LatestDeliveryError != "" {
		out.LatestDeliveryError = &d.LatestDeliveryError
	}
	if d.LatestDigestDeliveryError != "" {
		out.LatestDigestDeliveryError = &d.LatestDigestDeliveryError
	}
	return out, nil
}

func timeString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func listPublicKeys(c *api.Call, in *ListPublicKeysInput) (*ListPublicKeysOutput, error) {
	keys, err := c.CloudTrail.ListPublicKeys(c.Ctx, timePtr(in.StartTime), timePtr(in.EndTime))
	if err != nil {
		return nil, err
	}
	out := &ListPublicKeysOutput{PublicKeyList: make([]PublicKey, 0, len(keys))}
	for _, k := range keys {
		out.PublicKeyList = append(out.PublicKeyList, PublicKey{k.Value, Timestamp(k.ValidityStartTime), Timestamp(k.ValidityEndTime), k.Fingerprint})
	}
	return out, nil
}

// trailARN is the ARN a request's trail name or ARN stands for, which the action is authorized on.
func trailARN(c *api.Call, nameOrARN string) string {
	if strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN
	}
	return cloudtrail.TrailARN(c.Region, c.Account(), nameOrARN)
}
