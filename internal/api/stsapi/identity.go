package stsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
)

// GetCallerIdentity needs no permission: "No permissions are required to perform this operation"
// (STS API reference), and an explicit deny does not stop it.
var GetCallerIdentity = api.Add(&ops, &api.Op[struct{}, CallerIdentityOutput]{
	Name: "GetCallerIdentity", Authorize: noAuthorization[struct{}], Run: getCallerIdentity})

// CallerIdentityOutput is the result of GetCallerIdentity.
type CallerIdentityOutput struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

// WriteResultXML writes the result as encoding/xml would (awsproto.ResultWriter): every answer
// to a signed caller asking who it is, the cheapest call there is, goes through here.
func (o *CallerIdentityOutput) WriteResultXML(w *awsproto.XMLWriter) {
	w.String("Arn", o.Arn)
	w.String("UserId", o.UserID)
	w.String("Account", o.Account)
}

func getCallerIdentity(c *api.Call, _ *struct{}) (*CallerIdentityOutput, error) {
	return &CallerIdentityOutput{Arn: c.Caller.ARN, UserID: c.Caller.UserID, Account: c.Caller.Account}, nil
}

// noAuthorization is the authorization of an operation that decides in its own way, or not at all.
func noAuthorization[In any](*api.Call, *In) error { return nil }

// GetAccessKeyInfo is sts:GetAccessKeyInfo on "*".
var GetAccessKeyInfo = api.Add(&ops, &api.Op[GetAccessKeyInfoInput, AccessKeyInfoOutput]{
	Name: "GetAccessKeyInfo", Run: getAccessKeyInfo})

// GetAccessKeyInfoInput is GetAccessKeyInfo's request.
type GetAccessKeyInfoInput struct {
	AccessKeyID string `query:"AccessKeyId" required:"true"`
}

// AccessKeyInfoOutput is the result of GetAccessKeyInfo: the account that owns the key.
type AccessKeyInfoOutput struct {
	Account string `xml:"Account"`
}

func getAccessKeyInfo(c *api.Call, in *GetAccessKeyInfoInput) (*AccessKeyInfoOutput, error) {
	acct, err := c.IAM.KeyAccount(c.Ctx, in.AccessKeyID)
	if err != nil {
		return nil, err
	}
	return &AccessKeyInfoOutput{Account: acct}, nil
}

// DecodeAuthorizationMessage is sts:DecodeAuthorizationMessage on "*". It decodes the encoded
// authorization messages some AWS services put in their AccessDenied answers; IAM, STS and
// Organizations put none there (their denials say in plain text who was refused what), and so
// neither does Rootward: every message is one it did not encode, which the operation answers with
// InvalidAuthorizationMessageException, "the message passed to DecodeAuthorizationMessage was
// invalid" (STS API Reference, DecodeAuthorizationMessage, Errors).
var DecodeAuthorizationMessage = api.Add(&ops, &api.Op[DecodeAuthorizationMessageInput, DecodedMessageOutput]{
	Name: "DecodeAuthorizationMessage", Run: decodeAuthorizationMessage})

// DecodeAuthorizationMessageInput is DecodeAuthorizationMessage's request.
type DecodeAuthorizationMessageInput struct {
	EncodedMessage string `required:"true"`
}

// DecodedMessageOutput is the result of DecodeAuthorizationMessage.
type DecodedMessageOutput struct {
	DecodedMessage string `xml:"DecodedMessage"`
}

func decodeAuthorizationMessage(_ *api.Call, _ *DecodeAuthorizationMessageInput) (*DecodedMessageOutput, error) {
	return nil, awserr.New(awserr.InvalidAuthorizationMessage, "The encoded message is not one this service issued: Rootward's IAM, STS and Organizations encode no authorization messages.")
}
