// Package enginebench compares Rootward's policy engine with cedar-go and OPA (a prepared Rego
// query) on equivalent policy sets. It holds only tests and benchmarks and is a module of its own
// (go.mod here replaces github.com/rootward/rootward with this checkout), so that the product's
// go.mod names neither engine; nothing imports it. See docs/benchmarks-policy.md for the figures and the
// command that produced them.
package enginebench
