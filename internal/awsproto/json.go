package awsproto

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
)

// JSON 1.1 protocol (awsJson1_1): POST / with Content-Type application/x-amz-json-1.1 and
// X-Amz-Target "<ServicePrefix>.<Operation>"; a JSON object in, a JSON object out; errors as HTTP
// 4xx/5xx with {"__type": code, "Message": text} and the X-Amzn-ErrorType header (Smithy
// awsJson1_1 protocol specification, "Operation error serialization").

// ContentTypeJSON11 is the media type of awsJson 1.1 requests and responses.
const ContentTypeJSON11 = "application/x-amz-json-1.1"

// JSONTarget splits an X-Amz-Target header into its service prefix and operation.
func JSONTarget(h string) (prefix, op string, ok bool) {
	i := strings.LastIndexByte(h, '.')
	if i <= 0 || i == len(h)-1 {
		return "", "", false
	}
	return h[:i], h[i+1:], true
}

// DecodeJSON decodes a request body into v. An empty body is an empty object, as the SDKs send
// "{}" for operations without input. Unknown members are ignored, as AWS services do; malformed
// JSON is a SerializationException.
func DecodeJSON(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return awserr.New(awserr.Serialization, "Start of structure or map found where not expected, or the request body is not valid JSON.")
	}
	return nil
}

// JSONResponse writes a successful awsJson 1.1 answer; a nil result is "{}".
func JSONResponse(w http.ResponseWriter, requestID string, result any) error {
	w.Header().Set("Content-Type", ContentTypeJSON11)
	w.Header().Set("X-Amzn-Requestid", requestID)
	return writeJSONBody(w, result)
}

// writeJSONBody writes status 200 and result as JSON, "{}" for nil.
func writeJSONBody(w http.ResponseWriter, result any) error {
	if result == nil {
		w.WriteHeader(http.StatusOK)
		_, err := w.Write([]byte("{}"))
		return err
	}
	b, err := json.Marshal(result)
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

// jsonError writes an awsJson error of the given version's media type.
func jsonError(w http.ResponseWriter, contentType, requestID string, e *awserr.Error) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.Header().Set("X-Amzn-Errortype", string(e.Code))
	w.WriteHeader(Status(e))
	body := map[string]string{"__type": string(e.Code), "Message": e.Message}
	for k, v := range e.Fields {
		body[k] = v
	}
	_ = json.NewEncoder(w).Encode(body)
}
