package awsproto

import (
	"encoding/json"
	"encoding/xml"
	"net/http"

	"github.com/rootward/rootward/internal/awserr"
)

// Protocol is one of the AWS wire protocols, as the Smithy models name them (aws.protocols#…).
// Rootward serves awsQuery (IAM, STS) and awsJson1_1 (Organizations); the others are here so that a
// client of a service Rootward does not serve gets its error in the shape its SDK parses.
type Protocol int

// The protocols. Each one's error shape is in WriteError.
const (
	AWSQuery Protocol = iota
	EC2Query
	AWSJSON10
	AWSJSON11
	RestJSON1
	RestXML
)

// ContentTypeJSON10 is the media type of awsJson 1.0 requests and responses (DynamoDB, SQS).
const ContentTypeJSON10 = "application/x-amz-json-1.0"

// String is the protocol's Smithy name.
func (p Protocol) String() string {
	switch p {
	case EC2Query:
		return "ec2Query"
	case AWSJSON10:
		return "awsJson1_0"
	case AWSJSON11:
		return "awsJson1_1"
	case RestJSON1:
		return "restJson1"
	case RestXML:
		return "restXml"
	}
	return "awsQuery"
}

// WriteError answers e in p's error shape, which is where each protocol's SDK deserializer looks
// for the error code and message (Smithy protocol specifications, "Operation error
// serialization"):
//   - awsQuery: <ErrorResponse><Error><Code>… (ErrorResponse; ns is its XML namespace);
//   - ec2Query: <Response><Errors><Error><Code>…</Errors><RequestID>…;
//   - awsJson1_0 / awsJson1_1: {"__type": code, "Message": text}, with its Content-Type;
//   - restJson1: the X-Amzn-ErrorType header and {"message": text}, with the error's Fields and
//     its fieldList (awserr.Error.FieldList); an OAuth 2.0 error (sso-oidc's) has its
//     "error" and "error_description" members instead of "message";
//   - restXml (S3's flavour, without the ErrorResponse wrapper): <Error><Code>…</Error>.
func WriteError(w http.ResponseWriter, p Protocol, ns, requestID string, e *awserr.Error) {
	switch p {
	case EC2Query:
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		w.Header().Set("X-Amzn-Requestid", requestID)
		w.WriteHeader(Status(e))
		type ec2Error struct {
			Code    string
			Message string
		}
		body := struct {
			XMLName   xml.Name   `xml:"Response"`
			Errors    []ec2Error `xml:"Errors>Error"`
			RequestID string
		}{Errors: []ec2Error{{string(e.Code), e.Message}}, RequestID: requestID}
		_ = xml.NewEncoder(w).Encode(body)
	case AWSJSON10:
		jsonError(w, ContentTypeJSON10, requestID, e)
	case AWSJSON11:
		jsonError(w, ContentTypeJSON11, requestID, e)
	case RestJSON1:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Requestid", requestID)
		w.Header().Set("X-Amzn-Errortype", string(e.Code))
		w.WriteHeader(Status(e))
		body := map[string]any{}
		if _, oauth := e.Fields["error_description"]; !oauth {
			// An OAuth 2.0 error (sso-oidc's, awserr.OIDCError) says it in error_description alone.
			body["message"] = e.Message
		}
		for k, v := range e.Fields {
			body[k] = v
		}
		if len(e.FieldList) > 0 {
			body["fieldList"] = e.FieldList
		}
		_ = json.NewEncoder(w).Encode(body)
	case RestXML:
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("X-Amz-Request-Id", requestID)
		w.WriteHeader(Status(e))
		body := struct {
			XMLName   xml.Name `xml:"Error"`
			Code      string
			Message   string
			RequestID string `xml:"RequestId"`
		}{Code: string(e.Code), Message: e.Message, RequestID: requestID}
		_, _ = w.Write([]byte(xml.Header))
		_ = xml.NewEncoder(w).Encode(body)
	default:
		ErrorResponse(w, ns, requestID, e)
	}
}
