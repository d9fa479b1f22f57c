// Package migratest checks that data written by an earlier version of Rootward still reads back
// the same after the current code opens it and runs its migrations, in the manner of ory/kratos's
// persistence/sql/migratest: fixtures written once by the previous schema (testdata), expected
// values beside them, and a test that compares the two on every backend. The package holds only
// that test and its generator; see testdata/README.md.
package migratest
