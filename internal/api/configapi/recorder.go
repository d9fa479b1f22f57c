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
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	r := in.ConfigurationRecorder
	ri := config.RecorderInput{Name: r.Name, RoleARN: r.RoleARN}
	if g := r.RecordingGroup; g != nil {
		ri.Group, ri.AllSupported, ri.IncludeGlobal, ri.ResourceTypes = true, g.AllSupported, g.IncludeGlobalResourceTypes, g.ResourceTypes
	}
	if r.RecordingMode != nil {
		ri.RecordingFrequency = r.RecordingMode.RecordingFrequency
	}
	return nil, s.PutRecorder(c.Ctx, c.Account(), c.Region, ri)
}

// RecorderNamesInput names recorders (none: every one).
type RecorderNamesInput struct {
	ConfigurationRecorderNames []string
}

type DescribeConfigurationRecordersOutput struct {
	ConfigurationRecorders []ConfigurationRecorder
}

func describeConfigurationRecorders(c *api.Call, in *RecorderNamesInput) (*DescribeConfigurationRecordersOutput, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	rs, err := s.Recorders(c.Ctx, c.Account(), c.Region, in.ConfigurationRecorderNames)
	if err != nil {
		return nil, err
	}
	out := &DescribeConfigurationRecordersOutput{ConfigurationRecorders: make([]ConfigurationRecorder, 0, len(rs))}
	for _, r := range rs {
		cr := ConfigurationRecorder{Arn: r.ARN, Name: r.Name, RoleARN: r.RoleARN,
			RecordingGroup: &RecordingGroup{AllSupported: r.AllSupported, IncludeGlobalResourceTypes: r.IncludeGlobal, ResourceTypes: r.ResourceTypes}}
		if cr.RecordingGroup.ResourceTypes == nil {
			cr.RecordingGroup.ResourceTypes = []string{}
		}
		if r.RecordingFrequency != "" {
			cr.RecordingMode = &RecordingMode{RecordingFrequency: r.RecordingFrequency}
		}
		out.ConfigurationRecorders = append(out.ConfigurationRecorders, cr)
	}
	return out, nil
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
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	rs, err := s.Recorders(c.Ctx, c.Account(), c.Region, in.ConfigurationRecorderNames)
	if err != nil {
		return nil, err
	}
	out := &DescribeConfigurationRecorderStatusOutput{ConfigurationRecordersStatus: make([]ConfigurationRecorderStatus, 0, len(rs))}
	for _, r := range rs {
		st := ConfigurationRecorderStatus{Arn: r.ARN, Name: r.Name, Recording: r.Recording, LastStartTime: at(r.LastStart),
			LastStopTime: at(r.LastStop), LastStatusChangeTime: at(r.StatusChange)}
		if !r.LastStart.IsZero() {
			// Nothing is delivered, so a started recorder's last status is its success.
			st.LastStatus = "SUCCESS"
		}
		out.ConfigurationRecordersStatus = append(out.ConfigurationRecordersStatus, st)
	}
	return out, nil
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
		s, err := svc(c)
		if err != nil {
			return nil, err
		}
		return nil, s.SetRecording(c.Ctx, c.Account(), c.Region, in.ConfigurationRecorderName, on)
	}
}

func deleteConfigurationRecorder(c *api.Call, in *RecorderNameInput) (*struct{}, error) {
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	return nil, s.DeleteRecorder(c.Ctx, c.Account(), c.Region, in.ConfigurationRecorderName)
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
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	d := in.DeliveryChannel
	ch := config.Channel{Name: d.Name, S3BucketName: d.S3BucketName, S3KeyPrefix: d.S3KeyPrefix, S3KmsKeyArn: d.S3KmsKeyArn, SnsTopicARN: d.SnsTopicARN}
	if d.ConfigSnapshotDeliveryProperties != nil {
		ch.DeliveryFrequency = d.ConfigSnapshotDeliveryProperties.DeliveryFrequency
	}
	return nil, s.PutChannel(c.Ctx, c.Account(), c.Region, ch)
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
	s, err := svc(c)
	if err != nil {
		return nil, err
	}
	return nil, s.DeleteChannel(c.Ctx, c.Account(), c.Region, in.DeliveryChannelName)
}
