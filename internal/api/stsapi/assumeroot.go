package stsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/sts"
)

// AssumeRoot opens a privileged root session on a member account. Authorization happens inside
// the operation, after the input is valid: the caller's own policies must allow sts:AssumeRoot on
// the member's root (arn:aws:iam::MEMBER:root) with the condition key sts:TaskPolicyArn, and the
// organization must let the caller's account open root sessions on the target.
var AssumeRoot = api.Add(&ops, &api.Op[AssumeRootInput, AssumeRootOutput]{
	Name: "AssumeRoot", Authorize: noAuthorization[AssumeRootInput], Run: assumeRoot})

// AssumeRootInput is AssumeRoot's request (STS API reference, AssumeRoot). DurationSeconds is a
// pointer because 0 is a duration the model allows (0–900), not the default.
type AssumeRootInput struct {
	TargetPrincipal string           `required:"true"`
	TaskPolicyArn   PolicyDescriptor `required:"true"`
	DurationSeconds *int             `min:"0" max:"900"`
}

// AssumeRootOutput is the result of AssumeRoot.
type AssumeRootOutput struct {
	Credentials    Credentials `xml:"Credentials"`
	SourceIdentity string      `xml:"SourceIdentity,omitempty"`
}

// trailTime is how CloudTrail's STS records write a credential's expiration ("Oct 25, 2024,
// 9:07:11 PM" in the AssumeRoot record of "Track privileged tasks in AWS CloudTrail").
const trailTime = "Jan 2, 2006, 3:04:05 PM"

func assumeRoot(c *api.Call, in *AssumeRootInput) (*AssumeRootOutput, error) {
	member, err := sts.TargetMember(in.TargetPrincipal)
	if err != nil {
		return nil, err
	}
	taskARN := in.TaskPolicyArn.Arn
	if err := sts.CheckTaskPolicy(taskARN); err != nil {
		return nil, err
	}
	d := sts.MaxRootSession
	if in.DurationSeconds != nil {
		d = *in.DurationSeconds
	}
	if err := sts.CheckRootCaller(c.Caller); err != nil {
		return nil, err
	}
	if err := c.Authorize("sts:AssumeRoot", arn.Root(member), func(ctx *policy.Context) {
		ctx.Set("sts:TaskPolicyArn", taskARN)
	}); err != nil {
		return nil, err
	}
	if err := c.Orgs.RootSessionTarget(c.Ctx, c.Account(), member); err != nil {
		return nil, err
	}
	task, err := c.IAM.GetPolicy(c.Ctx, member, taskARN)
	if err != nil {
		return nil, err
	}
	sess := sts.RootSession(c.Caller, member, task, c.Now, d)
	if err := c.IAM.IssueSession(c.Ctx, sess); err != nil {
		return nil, err
	}
	// CloudTrail's AssumeRoot record (IAM User Guide, "Track privileged tasks in AWS CloudTrail",
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-track-privileged-tasks.html): the
	// request's members as sent (durationSeconds only when it was), the task policy as a nested
	// structure, and of the new credentials the key ID, which links the member account's records
	// of the session to this call, and the expiration in the format of AWS's example. AWS's record
	// also shows the session token; Rootward never writes a credential into the trail.
	c.TrailRequest = map[string]any{"targetPrincipal": in.TargetPrincipal, "taskPolicyArn": map[string]any{"arn": taskARN}}
	if in.DurationSeconds != nil {
		c.TrailRequest["durationSeconds"] = *in.DurationSeconds
	}
	c.TrailResponse = map[string]any{"credentials": map[string]any{
		"accessKeyId": sess.AccessKeyID, "expiration": sess.Expiration.UTC().Format(trailTime),
	}}
	c.TrailAssumedRoot = true
	return &AssumeRootOutput{Credentials: credentialsOf(sess), SourceIdentity: sess.SourceIdentity}, nil
}
