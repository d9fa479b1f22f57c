// Package policy is Rootward's IAM policy language engine: it parses, validates and compiles the
// JSON policy documents of IAM and Organizations (identity-based, resource-based, role trust,
// permissions boundary, session and service control policies) and evaluates requests against
// them with the AWS evaluation logic.
//
// The public face is small: Parse compiles a document once; Evaluate decides a request without
// allocating; Explain does the same and reports every matching statement for the policy simulator.
// Matching (actions, resources, principals), policy variables and the condition operators live in
// unexported code, one file per operator family (string.go, numeric.go, date.go, boolean.go,
// binary.go, ipaddr.go, arn.go, null.go).
//
// Sources for AWS behaviour are cited where it is implemented. The main ones are the IAM User
// Guide pages "IAM JSON policy elements reference", "IAM JSON policy elements: Condition operators",
// "IAM policy elements: Variables and tags", "Policy evaluation logic" and "Troubleshoot access
// denied error messages".
//
// The engine never fails open: a request it cannot evaluate (a policy that was not compiled, a
// condition value it cannot parse in an Allow statement, an unresolved policy variable) is denied.
// The package does no I/O.
package policy
