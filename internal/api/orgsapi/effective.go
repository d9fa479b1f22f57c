package orgsapi

import (
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/orgs"
)

// Effective management policies: what the policies of one type attached down an account's path
// merge into (Organizations API Reference, DescribeEffectivePolicy,
// ListEffectivePolicyValidationErrors, ListAccountsWithInvalidEffectivePolicy).

var (
	DescribeEffectivePolicy = api.Add(&ops, &api.Op[DescribeEffectivePolicyInput, EffectivePolicyOutput]{
		Name: "DescribeEffectivePolicy", Authorize: on(func(in *DescribeEffectivePolicyInput) target {
			return target{ids: []string{in.TargetId}, policyType: true, typ: in.PolicyType}
		}),
		Run: describeEffectivePolicy})
	ListEffectivePolicyValidationErrors = api.Add(&ops, &api.Op[ListEffectivePolicyValidationErrorsInput, EffectivePolicyValidationErrorsOutput]{
		Name: "ListEffectivePolicyValidationErrors", Authorize: on(func(in *ListEffectivePolicyValidationErrorsInput) target {
			return target{ids: []string{in.AccountId}, policyType: true, typ: in.PolicyType}
		}),
		Run: listEffectivePolicyValidationErrors})
	ListAccountsWithInvalidEffectivePolicy = api.Add(&ops, &api.Op[ListAccountsWithInvalidEffectivePolicyInput, AccountsOutput]{
		Name: "ListAccountsWithInvalidEffectivePolicy", Authorize: on(func(in *ListAccountsWithInvalidEffectivePolicyInput) target {
			return target{policyType: true, typ: in.PolicyType}
		}),
		Run: listAccountsWithInvalidEffectivePolicy})
)

// DescribeEffectivePolicyInput is DescribeEffectivePolicy's request; TargetId defaults to the
// caller's account.
type DescribeEffectivePolicyInput struct {
	PolicyType, TargetId string
}

// EffectivePolicy is the API's EffectivePolicy.
type EffectivePolicy struct {
	LastUpdatedTimestamp epoch
	PolicyContent        string
	PolicyType           string
	TargetId             string
}

// EffectivePolicyOutput is DescribeEffectivePolicy's result.
type EffectivePolicyOutput struct {
	EffectivePolicy EffectivePolicy
}

func describeEffectivePolicy(c *api.Call, in *DescribeEffectivePolicyInput) (*EffectivePolicyOutput, error) {
	p, err := c.Orgs.DescribeEffectivePolicy(c.Ctx, c.Account(), in.PolicyType, in.TargetId)
	if err != nil {
		return nil, err
	}
	return &EffectivePolicyOutput{EffectivePolicy{epoch(p.LastUpdatedTimestamp), p.PolicyContent, p.PolicyType, p.TargetID}}, nil
}

// ListEffectivePolicyValidationErrorsInput is ListEffectivePolicyValidationErrors' request.
type ListEffectivePolicyValidationErrorsInput struct {
	AccountId, PolicyType string
	ListInput
}

// EffectivePolicyValidationError is the API's EffectivePolicyValidationError.
type EffectivePolicyValidationError struct {
	ContributingPolicies []string
	ErrorCode            string
	ErrorMessage         string
	PathToError          string
}

// EffectivePolicyValidationErrorsOutput is ListEffectivePolicyValidationErrors' result.
type EffectivePolicyValidationErrorsOutput struct {
	AccountId                       string
	EffectivePolicyValidationErrors []EffectivePolicyValidationError
	EvaluationTimestamp             epoch
	Path                            string `json:",omitempty"`
	PolicyType                      string
	Paged
}

func listEffectivePolicyValidationErrors(c *api.Call, in *ListEffectivePolicyValidationErrorsInput) (*EffectivePolicyValidationErrorsOutput, error) {
	p, at, err := c.Orgs.ListEffectivePolicyValidationErrors(c.Ctx, c.Account(), in.AccountId, in.PolicyType, in.Opts())
	if err != nil {
		return nil, err
	}
	errs := each(p.Items, func(e *orgs.ValidationError) EffectivePolicyValidationError {
		return EffectivePolicyValidationError{e.ContributingPolicies, e.ErrorCode, e.ErrorMessage, e.PathToError}
	})
	if errs == nil {
		errs = []EffectivePolicyValidationError{}
	}
	return &EffectivePolicyValidationErrorsOutput{AccountId: in.AccountId, EffectivePolicyValidationErrors: errs,
		EvaluationTimestamp: epoch(at.UTC().Truncate(time.Second)), PolicyType: in.PolicyType, Paged: PageOf(p)}, nil
}

// ListAccountsWithInvalidEffectivePolicyInput is ListAccountsWithInvalidEffectivePolicy's request.
type ListAccountsWithInvalidEffectivePolicyInput struct {
	PolicyType string
	ListInput
}

func listAccountsWithInvalidEffectivePolicy(c *api.Call, in *ListAccountsWithInvalidEffectivePolicyInput) (*AccountsOutput, error) {
	p, err := c.Orgs.ListAccountsWithInvalidEffectivePolicy(c.Ctx, c.Account(), in.PolicyType, in.Opts())
	if err != nil {
		return nil, err
	}
	return accountsOf(p), nil
}
