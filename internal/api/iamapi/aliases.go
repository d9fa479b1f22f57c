package iamapi

import "github.com/rootward/rootward/internal/api"

// The account alias: CreateAccountAlias, DeleteAccountAlias, ListAccountAliases. An account has
// at most one alias (IAM User Guide, "Your AWS account ID and its alias").

// AccountAliasInput is the request of CreateAccountAlias and DeleteAccountAlias.
type AccountAliasInput struct {
	AccountAlias string `required:"true"`
}

var CreateAccountAlias = add(&api.Op[AccountAliasInput, struct{}]{Name: "CreateAccountAlias", Run: createAccountAlias})

func createAccountAlias(c *api.Call, in *AccountAliasInput) (*struct{}, error) {
	return nil, c.IAM.CreateAccountAlias(c.Ctx, c.Account(), in.AccountAlias)
}

var DeleteAccountAlias = add(&api.Op[AccountAliasInput, struct{}]{Name: "DeleteAccountAlias", Run: deleteAccountAlias})

func deleteAccountAlias(c *api.Call, in *AccountAliasInput) (*struct{}, error) {
	return nil, c.IAM.DeleteAccountAlias(c.Ctx, c.Account(), in.AccountAlias)
}

var ListAccountAliases = add(&api.Op[ListAccountAliasesInput, ListAccountAliasesOutput]{
	Name: "ListAccountAliases", Run: listAccountAliases,
})

// ListAccountAliasesInput is ListAccountAliases' request; the answer is always one page.
type ListAccountAliasesInput struct {
	ListInput
}

// ListAccountAliasesOutput is ListAccountAliases' result.
type ListAccountAliasesOutput struct {
	AccountAliases []string `xml:"AccountAliases>member"`
	Paged
}

func listAccountAliases(c *api.Call, _ *ListAccountAliasesInput) (*ListAccountAliasesOutput, error) {
	a, err := c.IAM.GetAccount(c.Ctx, c.Account())
	if err != nil {
		return nil, err
	}
	out := &ListAccountAliasesOutput{}
	if a.Alias != "" {
		out.AccountAliases = []string{a.Alias}
	}
	return out, nil
}
