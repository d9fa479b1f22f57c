// Package simulate is the IAM policy simulator's logic, for SimulatePrincipalPolicy and
// SimulateCustomPolicy (IAM API reference; result shapes from aws-sdk-go-v2 service/iam
// types.EvaluationResult, ResourceSpecificResult and Statement, and the response snapshot
// response_snapshot/SimulatePrincipalPolicy.response.snap). It validates what a simulation is
// asked, builds the policy set and evaluates each action on each resource, returning plain Go
// results; reading the request, fetching a principal's policies and writing the answer are the
// wire layer's (internal/server).
//
// The simulator decides with the engine the authorizer uses (policy.Explain, whose Decision is by
// construction the one policy.Evaluate returns), over a policy set built from the same pieces
// (iam.Service.PrincipalPolicies, compiled as the authorizer compiles them), with the request
// principal formed the same way (ARN and account). Unlike a real request it fills no condition key
// itself: only ContextEntries are in the request context ("If you leave the value for a condition
// key empty, then that key is ignored during the simulation", IAM User Guide, "Testing IAM
// policies with the IAM policy simulator").
//
// Results follow the simulator as revised in July 2026 (aws-sdk-go-v2 service/iam v1.57.0
// changelog: "reports accurate cross-account decisions"; types.EvaluationResult docs): one
// EvaluationResult per action; with ResourceArns, one ResourceSpecificResult per resource and a
// top-level result that reports the most restrictive decision and the union of matched statements
// and missing context keys across the resources. The top-level EvalResourceName is AWS's "ARN
// template for the simulated resource type ... or * if no ARN format is defined for the action";
// Rootward has no catalogue of resource types, so it is always "*".
//
// Not simulated: ResourceHandlingOption (the EC2 scenarios) only makes AWS check that the
// scenario's resources were supplied; Rootward accepts it and does not check them. And where AWS
// leaves out of MissingContextValues the keys that only SCP statements reference, Rootward lists
// them too: policy.Explanation does not say which policy a missing key came from.
//
// Errors are *awserr.Error (InvalidInput, MalformedPolicyDocument) or *InvalidParam, a member that
// breaks its modelled constraint, which the wire layer reports as its protocol's validation error.
// The package does no I/O.
package simulate
