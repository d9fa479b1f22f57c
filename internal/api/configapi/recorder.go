package configapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/config"
)

// The configuration recorder and delivery channel (issue 13 decided that they are served for the
// scripts that set them up; evaluation does not need them). Their members are spelled in lower
// camel case on the wire, as the API has them. Every action is authorized on "*".

var (
	PutConfigurationRecorder = api.Add(&ops, &api.Op[PutConfigurationRecorderInput, struct{}]{
		Name: "PutConfigurationRecorder", Run: putConfigurationRecorder})
	DescribeConfigurationRecorders = api.Add(&ops, &api.Op[RecorderNamesInput, DescribeConfigurationRecordersOutput]{
		Name: "DescribeConfigurationRecorders", Run: describeConfigurationRecorders})
	DescribeConfigurationRecorderStatus = api.Add(&ops, &api.Op[RecorderNamesInput, DescribeConfigurationRecorderStatusOutput]{
		Name: "DescribeConfigurationRecorderStatus", Run: describeConfigurationRecorderStatus})
	StartConfigurationRecorder = api.Add(&ops, &api.Op[RecorderNameInput, struct{}]{
		Name: "StartConfigurationRecorder", Run: recording(true)})
	StopConfigurationRecorder = api.Add(&ops, &api.Op[RecorderNameInput, struct{}]{
		Name: "StopConfigurationRecorder", Run: recording(false)})
	DeleteConfigurationRecorder = api.Add(&ops, &api.Op[RecorderNameInput, struct{}]{
		Name: "DeleteConfigurationRecorder", Run: deleteConfigurationRecorder})
	PutDeliveryChannel = api.Add(&ops, &api.Op[PutDeliveryChannelInput, struct{}]{
		Name: "PutDeliveryChannel", Run: putDeliveryChannel})
	DescribeDeliveryChannels = api.Add(&ops, &api.Op[DescribeDeliveryChannelsInput, DescribeDeliveryChannelsOutput]{
		Name: "DescribeDeliveryChannels", Run: describeDeliveryChannels})
	DeleteDeliveryChannel = api.Add(&ops, &api.Op[DeliveryChannelNameInput, struct{}]{
		Name: "DeleteDeliveryChannel", Run: deleteDeliveryChannel})
)

// RecordingGroup is the API's RecordingGroup.
type RecordingGroup struct {
	AllSupported               bool     `json:"allSupported"`
	IncludeGlobalResourceTypes bool     `json:"includeGlobalResourceTypes"`
	ResourceTypes              []string `json:"resourceTypes"`
}

// RecordingMode is the API's RecordingMode (its overrides are not kept).
type RecordingMode struct {
	RecordingFrequency string `json:"recordingFrequency,omitempty"`
}

// ConfigurationRecorder is the API's ConfigurationRecorder.
type ConfigurationRecorder struct {
	Arn            string          `json:"arn,omitempty"`
	Name           string          `json:"name"`
	RoleARN        string          `json:"roleARN"`
	RecordingGroup *RecordingGroup `json:"recordingGroup,omitempty"`
	RecordingMode  *RecordingMode  `json:"recordingMode,omitempty"`
}

type PutConfigurationRecorderInput struct {
	ConfigurationRecorder ConfigurationRecorder
	Tags                  []Tag
}

func putConfigurationRecorder(c *api.Call, in *PutConfigurationRecorderInput) (*struct{}, error) {
	r := in.ConfigurationRecorder
	ri := config.RecorderInput{Name: r.Name, RoleARN: r.RoleARN}
	if g := r.RecordingGroup; g != nil {
		ri.Group, ri.AllSupported, ri.IncludeGlobal, ri.ResourceTypes = true, g.AllSupported, g.IncludeGlobalResourceTypes, g.ResourceTypes
	}
	if r.RecordingMode != nil {
		ri.RecordingFrequency = r.RecordingMode.RecordingFrequency
	}
	return change(c, func(s *config.Service, account, region string) error {
		return s.PutRecorder(c.Ctx, account, region, ri)
	})
}

// RecorderNamesInput names recorders (none: every one).
type RecorderNamesInput struct {
	ConfigurationRecorderNames []string
}

type DescribeConfigurationRecordersOutput struct {
	ConfigurationRecorders []ConfigurationRecorder
}

func describeConfigurationRecorders(c *api.Call, in *RecorderNamesInput) (*DescribeConfigurationRecordersOutput, error) {
	rs, err := recorders(c, in.ConfigurationRecorderNames, func(r config.Recorder) ConfigurationRecorder {
		cr := ConfigurationRecorder{Arn: r.ARN, Name: r.Name, RoleARN: r.RoleARN,
			RecordingGroup: &RecordingGroup{AllSupported: r.AllSupported, IncludeGlobalResourceTypes: r.IncludeGlobal, ResourceTypes: r.ResourceTypes}}
		if cr.RecordingGroup.ResourceTypes == nil {
			cr.RecordingGroup.ResourceTypes = []string{}
		}
		if r.RecordingFrequency != "" {
			cr.RecordingMode = &RecordingMode{RecordingFrequency: r.RecordingFrequency}
		}
		return cr
	})
	if err != nil {
		return nil, err
	}
	return &DescribeConfigurationRecordersOutput{ConfigurationRecorders: rs}, nil
}

// ConfigurationRecorderStatus is the API's ConfigurationRecorderStatus.
type ConfigurationRecorderStatus struct {
	Arn                  string     `json:"arn,omitempty"`
	Name                 string     `json:"name"`
	Recording            bool       `json:"recording"`
	LastStatus           string     `json:"lastStatus,omitempty"`
	LastStartTime        *Timestamp `json:"lastStartTime,omitempty"`
	LastStopTime         *Timestamp `json:"lastStopTime,omitempty"`
	LastStatusChangeTime *Timestamp `json:"lastStatusChangeTime,omitempty"`
}

type DescribeConfigurationRecorderStatusOutput struct {
	ConfigurationRecordersStatus []ConfigurationRecorderStatus
}

func describeConfigurationRecorderStatus(c *api.Call, in *RecorderNamesInput) (*DescribeConfigurationRecorderStatusOutput, error) {
	rs, err := recorders(c, in.ConfigurationRecorderNames, func(r config.Recorder) ConfigurationRecorderStatus {
		st := ConfigurationRecorderStatus{Arn: r.ARN, Name: r.Name, Recording: r.Recording, LastStartTime: at(r.LastStart),
			LastStopTime: at(r.LastStop), LastStatusChangeTime: at(r.StatusChange)}
		if !r.LastStart.IsZero() {
			// Nothing is delivered, so a started recorder's last status is its success.
			st.LastStatus = "SUCCESS"
		}
		return st
	})
	if err != nil {
		return nil, err
	}
	return &DescribeConfigurationRecorderStatusOutput{ConfigurationRecordersStatus: rs}, nil
}

// recorders returns the named recorders of the caller's account in its Region (none named: every
// one), each as conv makes the answer's member of it.
func recorders[T any](c *api.Call, names []string, conv func(config.Recorder) T) ([]T, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	rs, err := s.Recorders(c.Ctx, c.Account(), c.Region, names)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(rs))
	for _, r := range rs {
		out = append(out, conv(r))
	}
	return out, nil
}

// change is an operation that changes the caller's account's recorder or delivery channel in its
// Region, and answers nothing.
func change(c *api.Call, do func(s *config.Service, account, region string) error) (*struct{}, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	return nil, do(s, c.Account(), c.Region)
}

// RecorderNameInput names one recorder.
type RecorderNameInput struct {
	ConfigurationRecorderName string
}

func (in *RecorderNameInput) Validate() error {
	return required("configurationRecorderName", in.ConfigurationRecorderName)
}

func recording(on bool) func(c *api.Call, in *RecorderNameInput) (*struct{}, error) {
	return func(c *api.Call, in *RecorderNameInput) (*struct{}, error) {
		return change(c, func(s *config.Service, account, region string) error {
			return s.SetRecording(c.Ctx, account, region, in.ConfigurationRecorderName, on)
		})
	}
}

func deleteConfigurationRecorder(c *api.Call, in *RecorderNameInput) (*struct{}, error) {
	return change(c, func(s *config.Service, account, region string) error {
		return s.DeleteRecorder(c.Ctx, account, region, in.ConfigurationRecorderName)
	})
}

// ConfigSnapshotDeliveryProperties is the API's ConfigSnapshotDeliveryProperties.
type ConfigSnapshotDeliveryProperties struct {
	DeliveryFrequency string `json:"deliveryFrequency,omitempty"`
}

// DeliveryChannel is the API's DeliveryChannel.
type DeliveryChannel struct {
	Name                             string                            `json:"name"`
	S3BucketName                     string                            `json:"s3BucketName,omitempty"`
	S3KeyPrefix                      string                            `json:"s3KeyPrefix,omitempty"`
	S3KmsKeyArn                      string                            `json:"s3KmsKeyArn,omitempty"`
	SnsTopicARN                      string                            `json:"snsTopicARN,omitempty"`
	ConfigSnapshotDeliveryProperties *ConfigSnapshotDeliveryProperties `json:"configSnapshotDeliveryProperties,omitempty"`
}

type PutDeliveryChannelInput struct {
	DeliveryChannel DeliveryChannel
}

func putDeliveryChannel(c *api.Call, in *PutDeliveryChannelInput) (*struct{}, error) {
	d := in.DeliveryChannel
	ch := config.Channel{Name: d.Name, S3BucketName: d.S3BucketName, S3KeyPrefix: d.S3KeyPrefix, S3KmsKeyArn: d.S3KmsKeyArn, SnsTopicARN: d.SnsTopicARN}
	if d.ConfigSnapshotDeliveryProperties != nil {
		ch.DeliveryFrequency = d.ConfigSnapshotDeliveryProperties.DeliveryFrequency
	}
	return change(c, func(s *config.Service, account, region string) error { return s.PutChannel(c.Ctx, account, region, ch) })
}

type DescribeDeliveryChannelsInput struct {
	DeliveryChannelNames []string
}

type DescribeDeliveryChannelsOutput struct {
	DeliveryChannels []DeliveryChannel
}

func describeDeliveryChannels(c *api.Call, in *DescribeDeliveryChannelsInput) (*DescribeDeliveryChannelsOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	chs, err := s.Channels(c.Ctx, c.Account(), c.Region, in.DeliveryChannelNames)
	if err != nil {
		return nil, err
	}
	out := &DescribeDeliveryChannelsOutput{DeliveryChannels: make([]DeliveryChannel, 0, len(chs))}
	for _, ch := range chs {
		d := DeliveryChannel{Name: ch.Name, S3BucketName: ch.S3BucketName, S3KeyPrefix: ch.S3KeyPrefix, S3KmsKeyArn: ch.S3KmsKeyArn, SnsTopicARN: ch.SnsTopicARN}
		if ch.DeliveryFrequency != "" {
			d.ConfigSnapshotDeliveryProperties = &ConfigSnapshotDeliveryProperties{DeliveryFrequency: ch.DeliveryFrequency}
		}
		out.DeliveryChannels = append(out.DeliveryChannels, d)
	}
	return out, nil
}

// DeliveryChannelNameInput names one delivery channel.
type DeliveryChannelNameInput struct {
	DeliveryChannelName string
}

func (in *DeliveryChannelNameInput) Validate() error {
	return required("deliveryChannelName", in.DeliveryChannelName)
}

func deleteDeliveryChannel(c *api.Call, in *DeliveryChannelNameInput) (*struct{}, error) {
	return change(c, func(s *config.Service, account, region string) error {
		return s.DeleteChannel(c.Ctx, account, region, in.DeliveryChannelName)
	})
}
