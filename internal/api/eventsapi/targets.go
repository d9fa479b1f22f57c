package eventsapi

import (
	"encoding/json"
	"strconv"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/eventbridge"
	"github.com/rootward/rootward/internal/policy"
)

// Targets of a rule: added or replaced, removed, listed, and the rules of a target.

var (
	PutTargets = api.Add(&ops, &api.Op[PutTargetsInput, TargetsOutput]{
		Name: "PutTargets", Authorize: func(c *api.Call, in *PutTargetsInput) error {
			return onRule(c, deref(in.Rule), func(ctx *policy.Context) {
				arns := make([]string, len(in.Targets))
				for i, tg := range in.Targets {
					arns[i] = deref(tg.Arn)
				}
				ctx.Set("events:TargetArn", arns...)
			})
		},
		Run: putTargets})
	RemoveTargets = api.Add(&ops, &api.Op[RemoveTargetsInput, TargetsOutput]{
		Name: "RemoveTargets", Authorize: func(c *api.Call, in *RemoveTargetsInput) error { return onRule(c, deref(in.Rule), nil) },
		Run: removeTargets})
	ListTargetsByRule = api.Add(&ops, &api.Op[ListTargetsByRuleInput, ListTargetsByRuleOutput]{
		Name: "ListTargetsByRule", Authorize: func(c *api.Call, in *ListTargetsByRuleInput) error { return onRule(c, deref(in.Rule), nil) },
		Run: listTargetsByRule})
	ListRuleNamesByTarget = api.Add(&ops, &api.Op[ListRuleNamesByTargetInput, ListRuleNamesByTargetOutput]{
		Name: "ListRuleNamesByTarget", Authorize: func(c *api.Call, _ *ListRuleNamesByTargetInput) error { return onBus(c) },
		Run: listRuleNamesByTarget})
)

// Target is EventBridge's Target, with the members Rootward delivers by. The target-specific
// parameters of AWS services Rootward does not serve (SqsParameters, EcsParameters …) are not
// read.
type Target struct {
	Id               *string           `json:",omitempty"`
	Arn              *string           `json:",omitempty"`
	RoleArn          *string           `json:",omitempty"`
	Input            *string           `json:",omitempty"`
	InputPath        *string           `json:",omitempty"`
	InputTransformer *InputTransformer `json:",omitempty"`
	// SqsParameters carries a FIFO target's message group (an SNS FIFO topic's, in Rootward).
	SqsParameters *SqsParameters `json:",omitempty"`
}

// SqsParameters is EventBridge's SqsParameters: the message group of a FIFO target.
type SqsParameters struct {
	MessageGroupId *string `json:",omitempty"`
}

// group is the message group p names, "" when none.
func (p *SqsParameters) group() string {
	if p == nil {
		return ""
	}
	return deref(p.MessageGroupId)
}

// maxMessageGroupID is SqsParameters.MessageGroupId's length constraint.
const maxMessageGroupID = 100

// InputTransformer is EventBridge's InputTransformer: InputTemplate is required.
type InputTransformer struct {
	InputPathsMap map[string]string `json:",omitempty"`
	InputTemplate *string           `json:",omitempty"`
}

// transformer is the domain's form of t, nil when t is.
func (t *InputTransformer) transformer() *eventbridge.InputTransformer {
	if t == nil {
		return nil
	}
	return &eventbridge.InputTransformer{PathsMap: t.InputPathsMap, Template: deref(t.InputTemplate)}
}

type PutTargetsInput struct {
	Rule         *string `json:",omitempty"`
	EventBusName *string `json:",omitempty"`
	Targets      []Target
}

// maxTargetsPerCall is the TargetList constraint: at most 100 entries per call (the rule still
// holds at most five).
const maxTargetsPerCall = 100

func (in *PutTargetsInput) Validate() error {
	var v violations
	v.name("rule", in.Rule)
	v.bus(in.EventBusName)
	v.required("targets", in.Targets != nil)
	if in.Targets != nil && (len(in.Targets) < 1 || len(in.Targets) > maxTargetsPerCall) {
		v.add("targets", "["+strconv.Itoa(len(in.Targets))+" targets]", "Member must have length between 1 and 100")
	}
	for i, tg := range in.Targets {
		m := "targets." + strconv.Itoa(i+1) + ".member."
		v.name(m+"id", tg.Id)
		v.arn(m+"arn", tg.Arn)
		if tg.RoleArn != nil {
			v.length(m+"roleArn", *tg.RoleArn, 1, maxARN)
		}
		if tg.Input != nil {
			v.length(m+"input", *tg.Input, 0, maxInput)
		}
		if tg.InputPath != nil {
			v.length(m+"inputPath", *tg.InputPath, 0, maxInputPath)
		}
		if g := tg.SqsParameters.group(); g != "" {
			v.length(m+"sqsParameters.messageGroupId", g, 0, maxMessageGroupID)
		}
		if it := tg.InputTransformer; it != nil {
			v.required(m+"inputTransformer.inputTemplate", it.InputTemplate != nil)
			if it.InputTemplate != nil {
				v.length(m+"inputTransformer.inputTemplate", *it.InputTemplate, 1, eventbridge.MaxInputTemplate)
			}
		}
	}
	if err := v.err(); err != nil {
		return err
	}
	for _, tg := range in.Targets {
		n := 0
		for _, set := range []bool{tg.Input != nil, tg.InputPath != nil, tg.InputTransformer != nil} {
			if set {
				n++
			}
		}
		// AWS's messages for these refusals are not documented; these are Rootward's.
		switch {
		case n > 1:
			return awserr.New(eventbridge.CodeValidation, "Only one of Input, InputPath, or InputTransformer may be provided for target %s.", deref(tg.Id))
		case tg.InputTransformer != nil:
			if err := eventbridge.CheckTransformer(deref(tg.Id), tg.InputTransformer.transformer()); err != nil {
				return err
			}
		case tg.Input != nil && !json.Valid([]byte(*tg.Input)):
			return awserr.New(eventbridge.CodeValidation, "Input for target %s is not valid JSON text.", deref(tg.Id))
		case tg.InputPath != nil && !eventbridge.ValidInputPath(*tg.InputPath):
			return awserr.New(eventbridge.CodeValidation, "InputPath for target %s is not a valid JSON path.", deref(tg.Id))
		}
	}
	return nil
}

// ResultEntry is PutTargetsResultEntry and RemoveTargetsResultEntry.
type ResultEntry struct {
	TargetId     string
	ErrorCode    string
	ErrorMessage string
}

// TargetsOutput is the result of PutTargets and RemoveTargets.
type TargetsOutput struct {
	FailedEntries    []ResultEntry
	FailedEntryCount int
}

func targetsOutput(failed []eventbridge.FailedEntry) *TargetsOutput {
	out := &TargetsOutput{FailedEntries: make([]ResultEntry, len(failed)), FailedEntryCount: len(failed)}
	for i, f := range failed {
		out.FailedEntries[i] = ResultEntry{TargetId: f.TargetID, ErrorCode: f.ErrorCode, ErrorMessage: f.ErrorMessage}
	}
	return out
}

func putTargets(c *api.Call, in *PutTargetsInput) (*TargetsOutput, error) {
	svc, err := busOf(c, in.EventBusName)
	if err != nil {
		return nil, err
	}
	targets := make([]eventbridge.Target, len(in.Targets))
	for i, tg := range in.Targets {
		targets[i] = eventbridge.Target{ID: deref(tg.Id), ARN: deref(tg.Arn), RoleARN: deref(tg.RoleArn), Input: deref(tg.Input), InputPath: deref(tg.InputPath),
			Transformer: tg.InputTransformer.transformer(), MessageGroupID: tg.SqsParameters.group()}
	}
	failed, err := svc.PutTargets(c.Ctx, c.Account(), deref(in.Rule), targets)
	if err != nil {
		return nil, err
	}
	return targetsOutput(failed), nil
}

type RemoveTargetsInput struct {
	Rule         *string `json:",omitempty"`
	EventBusName *string `json:",omitempty"`
	Ids          []string
	Force        bool `json:",omitempty"`
}

func (in *RemoveTargetsInput) Validate() error {
	var v violations
	v.name("rule", in.Rule)
	v.bus(in.EventBusName)
	v.required("ids", in.Ids != nil)
	if in.Ids != nil && (len(in.Ids) < 1 || len(in.Ids) > maxTargetsPerCall) {
		v.add("ids", "["+strconv.Itoa(len(in.Ids))+" ids]", "Member must have length between 1 and 100")
	}
	for i := range in.Ids {
		v.name("ids."+strconv.Itoa(i+1)+".member", &in.Ids[i])
	}
	return v.err()
}

func removeTargets(c *api.Call, in *RemoveTargetsInput) (*TargetsOutput, error) {
	svc, err := busOf(c, in.EventBusName)
	if err != nil {
		return nil, err
	}
	failed, err := svc.RemoveTargets(c.Ctx, c.Account(), deref(in.Rule), in.Ids, in.Force, c.Caller.ARN)
	if err != nil {
		return nil, err
	}
	return targetsOutput(failed), nil
}

type ListTargetsByRuleInput struct {
	Rule         *string `json:",omitempty"`
	EventBusName *string `json:",omitempty"`
	ListInput
}

func (in *ListTargetsByRuleInput) Validate() error {
	var v violations
	v.name("rule", in.Rule)
	v.bus(in.EventBusName)
	v.limit(in.Limit)
	return v.err()
}

// TargetOut is a Target in a result.
type TargetOut struct {
	Id               string
	Arn              string
	RoleArn          *string           `json:",omitempty"`
	Input            *string           `json:",omitempty"`
	InputPath        *string           `json:",omitempty"`
	InputTransformer *InputTransformer `json:",omitempty"`
	SqsParameters    *SqsParameters    `json:",omitempty"`
}

type ListTargetsByRuleOutput struct {
	Targets []TargetOut
	Paged
}

func listTargetsByRule(c *api.Call, in *ListTargetsByRuleInput) (*ListTargetsByRuleOutput, error) {
	svc, err := busOf(c, in.EventBusName)
	if err != nil {
		return nil, err
	}
	p, err := svc.ListTargetsByRule(c.Ctx, c.Account(), deref(in.Rule), in.NextToken, in.size())
	if err != nil {
		return nil, err
	}
	out := &ListTargetsByRuleOutput{Targets: make([]TargetOut, len(p.Items)), Paged: pagedOf(p.Next)}
	for i, tg := range p.Items {
		out.Targets[i] = TargetOut{Id: tg.ID, Arn: tg.ARN, RoleArn: str(tg.RoleARN), Input: str(tg.Input), InputPath: str(tg.InputPath)}
		if t := tg.Transformer; t != nil {
			out.Targets[i].InputTransformer = &InputTransformer{InputPathsMap: t.PathsMap, InputTemplate: str(t.Template)}
		}
		if tg.MessageGroupID != "" {
			out.Targets[i].SqsParameters = &SqsParameters{MessageGroupId: str(tg.MessageGroupID)}
		}
	}
	return out, nil
}

type ListRuleNamesByTargetInput struct {
	TargetArn    *string `json:",omitempty"`
	EventBusName *string `json:",omitempty"`
	ListInput
}

func (in *ListRuleNamesByTargetInput) Validate() error {
	var v violations
	v.arn("targetArn", in.TargetArn)
	v.bus(in.EventBusName)
	v.limit(in.Limit)
	return v.err()
}

type ListRuleNamesByTargetOutput struct {
	RuleNames []string
	Paged
}

func listRuleNamesByTarget(c *api.Call, in *ListRuleNamesByTargetInput) (*ListRuleNamesByTargetOutput, error) {
	svc, err := busOf(c, in.EventBusName)
	if err != nil {
		return nil, err
	}
	p, err := svc.ListRuleNamesByTarget(c.Ctx, c.Account(), deref(in.TargetArn), in.NextToken, in.size())
	if err != nil {
		return nil, err
	}
	names := p.Items
	if names == nil {
		names = []string{}
	}
	return &ListRuleNamesByTargetOutput{RuleNames: names, Paged: pagedOf(p.Next)}, nil
}
