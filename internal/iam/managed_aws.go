package iam

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	rwarn "github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/store"
)

// The AWS managed policies, under arn:aws:iam::aws:policy/: every one AWS publishes (1,452 of them,
// the root-task policies of sts:AssumeRoot among them), embedded as AWS publishes them — one JSON
// object a line, sorted by name: PolicyName, PolicyId, Arn, Path, DefaultVersionId, IsAttachable,
// CreateDate, UpdateDate and the default version's Document (the values of `aws iam list-policies
// --scope AWS` and get-policy-version; managed/README.md says where the file comes from). Only the
// default version of each is known, so ListPolicyVersions shows that one version and
// GetPolicyVersion answers NoSuchEntity for older ones.
//
//go:embed managed/aws-managed-policies.jsonl.gz
var awsManagedData []byte

// awsCatalogue is the decoded catalogue: the policies in name order and an index by ARN.
type awsCatalogue struct {
	list  []ManagedPolicy
	arns  []string
	byARN map[string]int
}

// awsManaged is the catalogue, decoded on first use (about 3 MB of documents; see
// BenchmarkAWSManagedLoad), so that commands that never serve IAM do not pay for it. The
// embedded file is part of the binary and checked by TestAWSManagedCatalogue: a failure to decode
// it is a build defect, not input, hence the panic.
var awsManaged = sync.OnceValue(func() *awsCatalogue {
	c, err := decodeAWSManaged(awsManagedData)
	if err != nil {
		panic("iam: the embedded AWS managed policies do not decode: " + err.Error())
	}
	return c
})

// awsManagedLine is one line of the embedded file.
type awsManagedLine struct {
	PolicyName       string
	PolicyID         string `json:"PolicyId"`
	Arn              string
	Path             string
	DefaultVersionID string `json:"DefaultVersionId"`
	IsAttachable     bool
	CreateDate       time.Time
	UpdateDate       time.Time
	Document         json.RawMessage
}

func decodeAWSManaged(data []byte) (*awsCatalogue, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	c := &awsCatalogue{byARN: make(map[string]int, 1500)}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 0, 256<<10), 4<<20)
	for sc.Scan() {
		var l awsManagedLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("line %d: %w", len(c.list)+1, err)
		}
		if l.Arn != rwarn.AWSManagedPolicy(l.Path, l.PolicyName) || len(l.Document) == 0 {
			return nil, fmt.Errorf("line %d: %s is not an AWS managed policy ARN of path %s and name %s", len(c.list)+1, l.Arn, l.Path, l.PolicyName)
		}
		if _, dup := c.byARN[l.Arn]; dup {
			return nil, fmt.Errorf("line %d: %s twice", len(c.list)+1, l.Arn)
		}
		var doc bytes.Buffer
		if err := json.Compact(&doc, l.Document); err != nil {
			return nil, err
		}
		created, updated := l.CreateDate.UTC(), l.UpdateDate.UTC()
		c.byARN[l.Arn] = len(c.list)
		c.arns = append(c.arns, l.Arn)
		c.list = append(c.list, ManagedPolicy{
			PolicyName: l.PolicyName, PolicyID: l.PolicyID, Arn: l.Arn, Path: l.Path,
			DefaultVersionID: l.DefaultVersionID, IsAttachable: l.IsAttachable,
			CreateDate: created, UpdateDate: updated,
			// The default version was made when the policy was last updated.
			Versions: []PolicyVersion{{Document: doc.String(), VersionID: l.DefaultVersionID, IsDefaultVersion: true, CreateDate: updated}},
		})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// awsManagedByARN returns the AWS managed policy of an ARN, as a copy the caller may change.
func awsManagedByARN(arn string) (*ManagedPolicy, bool) {
	if !strings.HasPrefix(arn, rwarn.AWSManagedPolicyPrefix) {
		return nil, false
	}
	c := awsManaged()
	i, ok := c.byARN[arn]
	if !ok {
		return nil, false
	}
	// A copy with versions of its own: callers fill in per-account counts and each version's
	// IsDefaultVersion, which must never write to the shared catalogue (concurrent requests read
	// it).
	p := c.list[i]
	p.Versions = slices.Clone(p.Versions)
	return &p, true
}

// AWSManaged returns the AWS managed policy of an ARN (a copy), false when AWS has none of that
// ARN.
func AWSManaged(arn string) (*ManagedPolicy, bool) { return awsManagedByARN(arn) }

// awsManagedSource is the Source of the AWS managed policies under pathPrefix, in the
// catalogue's (name) order; an item's Key is the policy's ARN, a position too. Finding a position
// is O(1); a page reads only its own policies, however many precede it.
func awsManagedSource(pathPrefix string) store.Source {
	c := awsManaged()
	return func(after string, n int) ([]store.Item, error) {
		i := 0
		if after != "" {
			j, ok := c.byARN[after]
			if !ok {
				return nil, nil
			}
			i = j + 1
		}
		var out []store.Item
		for ; i < len(c.list) && (n <= 0 || len(out) < n); i++ {
			if strings.HasPrefix(c.list[i].Path, pathPrefix) {
				out = append(out, store.Item{Key: c.arns[i]})
			}
		}
		return out, nil
	}
}
