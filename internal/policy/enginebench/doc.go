// Package enginebench compares Rootward's policy engine with cedar-go and OPA (a prepared Rego
// query) on equivalent policy sets. It holds only tests and benchmarks, so that only it pulls in
// the two engines; nothing imports it. See docs/benchmarks-policy.md for the figures and the
// command that produced them.
package enginebench
