package server

// mfaOutcome passes on the answer of a legacy operation that checked an MFA code (api.Call.MFAOutcome).
func (c *call) mfaOutcome(err error) error { return c.MFAOutcome(err) }
