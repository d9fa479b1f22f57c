package config

import (
	"context"
	"slices"
	"time"

	rwarn "github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// The configuration recorder and the delivery channel: stored and answered for the scripts that set
// them up (issue 13 decided so), but not needed for evaluation, since the rules read IAM, which is
// Rootward's own state. An account has at most one of each per Region, as in AWS Config (Config
// Developer Guide, "Service Limits").

// recorderRecord is a configuration recorder (kind "config.recorder", keyed by region|name).
type recorderRecord struct {
	Name                       string    `json:"name"`
	ID                         string    `json:"id"`
	Region                     string    `json:"region"`
	RoleARN                    string    `json:"role_arn"`
	AllSupported               bool      `json:"all_supported"`
	IncludeGlobalResourceTypes bool      `json:"include_global"`
	ResourceTypes              []string  `json:"resource_types,omitempty"`
	RecordingFrequency         string    `json:"recording_frequency,omitempty"`
	Recording                  bool      `json:"recording"`
	LastStart                  time.Time `json:"last_start,omitempty"`
	LastStop                   time.Time `json:"last_stop,omitempty"`
	LastStatusChange           time.Time `json:"last_status_change,omitempty"`
}

// channelRecord is a delivery channel (kind "config.channel", keyed by region|name).
type channelRecord struct {
	Name              string `json:"name"`
	Region            string `json:"region"`
	S3BucketName      string `json:"s3_bucket"`
	S3KeyPrefix       string `json:"s3_key_prefix,omitempty"`
	S3KmsKeyArn       string `json:"s3_kms_key_arn,omitempty"`
	SnsTopicARN       string `json:"sns_topic_arn,omitempty"`
	DeliveryFrequency string `json:"delivery_frequency,omitempty"`
}

var (
	recorders = store.Define(store.Kind[recorderRecord]{Name: "config.recorder", Version: 1})
	channels  = store.Define(store.Kind[channelRecord]{Name: "config.channel", Version: 1})
)

// Recorder is a configuration recorder with its status.
type Recorder struct {
	Name, ARN, RoleARN                string
	AllSupported, IncludeGlobal       bool
	ResourceTypes                     []string
	RecordingFrequency                string
	Recording                         bool
	LastStart, LastStop, StatusChange time.Time
}

func (r *recorderRecord) recorder(account string) Recorder {
	return Recorder{Name: r.Name, ARN: rwarn.Config(r.Region, account, "configuration-recorder/"+r.Name+"/"+r.ID), RoleARN: r.RoleARN,
		AllSupported: r.AllSupported, IncludeGlobal: r.IncludeGlobalResourceTypes, ResourceTypes: slices.Clone(r.ResourceTypes),
		RecordingFrequency: r.RecordingFrequency, Recording: r.Recording, LastStart: r.LastStart, LastStop: r.LastStop,
		StatusChange: r.LastStatusChange}
}

// RecorderInput is PutConfigurationRecorder's ConfigurationRecorder.
type RecorderInput struct {
	Name, RoleARN      string
	Group              bool // RecordingGroup was sent
	AllSupported       bool
	IncludeGlobal      bool
	ResourceTypes      []string
	RecordingFrequency string
}

func nameTooLong(member, name string, n int) error {
	return awserr.New(awserr.ConfigValidation, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", name, member, n)
}

// PutRecorder creates or updates the account's recorder in region. Returns
// InvalidConfigurationRecorderNameException, MaxNumberOfConfigurationRecordersExceededException,
// InvalidRoleException and InvalidRecordingGroupException.
func (s *Service) PutRecorder(ctx context.Context, account, region string, in RecorderInput) error {
	if in.Name == "" {
		return awserr.New(awserr.ConfigInvalidRecorderName, "The configuration recorder name '%s' is not valid, blank string.", in.Name)
	}
	if len(in.Name) > 256 {
		return nameTooLong("configurationRecorder.name", in.Name, 256)
	}
	if in.RoleARN == "" {
		return awserr.New(awserr.ConfigInvalidRole, "The role ARN provided for the configuration recorder is not valid.")
	}
	if in.Group && ((len(in.ResourceTypes) > 0 && (in.AllSupported || in.IncludeGlobal)) || (!in.AllSupported && len(in.ResourceTypes) == 0)) {
		return awserr.New(awserr.ConfigInvalidRecordingGroup, "The recording group provided is not valid")
	}
	if !in.Group {
		in.AllSupported = true
	}
	return s.st.Update(ctx, func(tx store.Tx) error {
		all, err := recorders.List(tx, account, region+"|", "", 2)
		if err != nil {
			return err
		}
		rec := &recorderRecord{Name: in.Name, ID: randomID(8), Region: region}
		for _, e := range all {
			if e.Record.Name != in.Name {
				return awserr.New(awserr.ConfigMaxRecorders, "Failed to put configuration recorder '%s' because the maximum number of configuration recorders: 1 is reached.", in.Name)
			}
			rec = e.Record
		}
		rec.RoleARN, rec.AllSupported, rec.IncludeGlobalResourceTypes = in.RoleARN, in.AllSupported, in.IncludeGlobal
		rec.ResourceTypes, rec.RecordingFrequency = in.ResourceTypes, in.RecordingFrequency
		return recorders.Put(tx, account, region+"|"+in.Name, rec)
	})
}

func noSuchRecorder(name string) error {
	return awserr.New(awserr.ConfigNoSuchRecorder, "Cannot find configuration recorder with the specified name '%s'.", name)
}

// Recorders returns the named recorders (each must exist: NoSuchConfigurationRecorderException) or
// all of the account's in region.
func (s *Service) Recorders(ctx context.Context, account, region string, names []string) ([]Recorder, error) {
	var out []Recorder
	err := s.st.View(ctx, func(tx store.Tx) error {
		if len(names) == 0 {
			all, err := recorders.List(tx, account, region+"|", "", 0)
			for _, e := range all {
				out = append(out, e.Record.recorder(account))
			}
			return err
		}
		for _, n := range names {
			r, ok, err := recorders.Get(tx, account, region+"|"+n)
			if err != nil {
				return err
			}
			if !ok {
				return noSuchRecorder(n)
			}
			out = append(out, r.recorder(account))
		}
		return nil
	})
	return out, err
}

// SetRecording starts or stops a recorder. Returns NoSuchConfigurationRecorderException and, to
// start, NoAvailableDeliveryChannelException when the account has no delivery channel.
func (s *Service) SetRecording(ctx context.Context, account, region, name string, on bool) error {
	now := s.now().UTC()
	return s.st.Update(ctx, func(tx store.Tx) error {
		r, ok, err := recorders.Get(tx, account, region+"|"+name)
		if err != nil {
			return err
		}
		if !ok {
			return noSuchRecorder(name)
		}
		if on {
			chs, err := channels.List(tx, account, region+"|", "", 1)
			if err != nil {
				return err
			}
			if len(chs) == 0 {
				return awserr.New(awserr.ConfigNoAvailableDeliveryChannel, "Delivery channel is not available to start configuration recorder.")
			}
			r.LastStart = now
		} else {
			r.LastStop = now
		}
		if r.Recording != on {
			r.LastStatusChange = now
		}
		r.Recording = on
		return recorders.Put(tx, account, region+"|"+name, r)
	})
}

// DeleteRecorder deletes a recorder. Returns NoSuchConfigurationRecorderException.
func (s *Service) DeleteRecorder(ctx context.Context, account, region, name string) error {
	return s.st.Update(ctx, func(tx store.Tx) error {
		_, ok, err := recorders.Get(tx, account, region+"|"+name)
		if err != nil {
			return err
		}
		if !ok {
			return noSuchRecorder(name)
		}
		return recorders.Delete(tx, account, region+"|"+name)
	})
}

// Channel is a delivery channel.
type Channel struct {
	Name, S3BucketName, S3KeyPrefix, S3KmsKeyArn, SnsTopicARN, DeliveryFrequency string
}

// PutChannel creates or updates the account's delivery channel in region. Returns
// NoAvailableConfigurationRecorderException (no recorder yet), InvalidDeliveryChannelNameException,
// NoSuchBucketException (no bucket name), InvalidS3KeyPrefixException-like InvalidParameterValue,
// ValidationException (a bad DeliveryFrequency) and MaxNumberOfDeliveryChannelsExceededException.
func (s *Service) PutChannel(ctx context.Context, account, region string, in Channel) error {
	if in.Name == "" {
		return awserr.New(awserr.ConfigInvalidDeliveryChannelName, "The delivery channel name '%s' is not valid, blank string.", in.Name)
	}
	if len(in.Name) > 256 {
		return nameTooLong("deliveryChannel.name", in.Name, 256)
	}
	if in.S3BucketName == "" {
		return awserr.New(awserr.ConfigNoSuchBucket, "Cannot find a S3 bucket with an empty bucket name.")
	}
	if f := in.DeliveryFrequency; f != "" {
		if _, ok := Frequencies[f]; !ok {
			return awserr.New(awserr.ConfigValidation, "1 validation error detected: Value '%s' at 'deliveryChannel.configSnapshotDeliveryProperties.deliveryFrequency' failed to satisfy constraint: Member must satisfy enum value set: [One_Hour, Six_Hours, Three_Hours, Twelve_Hours, TwentyFour_Hours]", f)
		}
	}
	return s.st.Update(ctx, func(tx store.Tx) error {
		recs, err := recorders.List(tx, account, region+"|", "", 1)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return awserr.New(awserr.ConfigNoAvailableRecorder, "Configuration recorder is not available to put delivery channel.")
		}
		all, err := channels.List(tx, account, region+"|", "", 2)
		if err != nil {
			return err
		}
		for _, e := range all {
			if e.Record.Name != in.Name {
				return awserr.New(awserr.ConfigMaxDeliveryChannels, "Failed to put delivery channel '%s' because the maximum number of delivery channels: 1 is reached.", in.Name)
			}
		}
		return channels.Put(tx, account, region+"|"+in.Name, &channelRecord{Name: in.Name, Region: region, S3BucketName: in.S3BucketName,
			S3KeyPrefix: in.S3KeyPrefix, S3KmsKeyArn: in.S3KmsKeyArn, SnsTopicARN: in.SnsTopicARN, DeliveryFrequency: in.DeliveryFrequency})
	})
}

func noSuchChannel(name string) error {
	return awserr.New(awserr.ConfigNoSuchDeliveryChannel, "Cannot find delivery channel with specified name '%s'.", name)
}

// Channels returns the named delivery channels (each must exist: NoSuchDeliveryChannelException) or
// all of the account's in region.
func (s *Service) Channels(ctx context.Context, account, region string, names []string) ([]Channel, error) {
	var out []Channel
	conv := func(c *channelRecord) Channel {
		return Channel{Name: c.Name, S3BucketName: c.S3BucketName, S3KeyPrefix: c.S3KeyPrefix, S3KmsKeyArn: c.S3KmsKeyArn,
			SnsTopicARN: c.SnsTopicARN, DeliveryFrequency: c.DeliveryFrequency}
	}
	err := s.st.View(ctx, func(tx store.Tx) error {
		if len(names) == 0 {
			all, err := channels.List(tx, account, region+"|", "", 0)
			for _, e := range all {
				out = append(out, conv(e.Record))
			}
			return err
		}
		for _, n := range names {
			c, ok, err := channels.Get(tx, account, region+"|"+n)
			if err != nil {
				return err
			}
			if !ok {
				return noSuchChannel(n)
			}
			out = append(out, conv(c))
		}
		return nil
	})
	return out, err
}

// DeleteChannel deletes a delivery channel. Returns NoSuchDeliveryChannelException and
// LastDeliveryChannelDeleteFailedException while the recorder is recording.
func (s *Service) DeleteChannel(ctx context.Context, account, region, name string) error {
	return s.st.Update(ctx, func(tx store.Tx) error {
		_, ok, err := channels.Get(tx, account, region+"|"+name)
		if err != nil {
			return err
		}
		if !ok {
			return noSuchChannel(name)
		}
		recs, err := recorders.List(tx, account, region+"|", "", 0)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if r.Record.Recording {
				return awserr.New(awserr.ConfigLastDeliveryChannelDelete, "Failed to delete last specified delivery channel with name '%s', because there is a running configuration recorder.", name)
			}
		}
		return channels.Delete(tx, account, region+"|"+name)
	})
}
