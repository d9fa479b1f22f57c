package rootuser

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/pquerna/otp"
)

// TestTOTPEnrollmentURI: the key URI names Rootward as the issuer and the account by its alias,
// or its ID without one, and the QR code is that URI's.
func TestTOTPEnrollmentURI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct{ name, alias, want string }{
		{"account ID", "", "Rootward:root-account-mfa-device@" + e.account},
		{"alias", "example-prod", "Rootward:root-device-2@example-prod"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := ""
			if tc.alias != "" {
				name = "root-device-2"
				if err := e.iam.CreateAccountAlias(e.ctx, e.account, tc.alias); err != nil {
					t.Fatal(err)
				}
			}
			enr, err := e.svc.CreateTOTPDevice(e.ctx, e.account, "", name, e.client)
			if err != nil {
				t.Fatal(err)
			}
			want := "otpauth://totp/" + tc.want + "?secret=" + enr.Seed + "&issuer=Rootward"
			if enr.OTPAuthURL != want {
				t.Fatalf("OTPAuthURL = %q, want %q", enr.OTPAuthURL, want)
			}
			key, err := otp.NewKeyFromURL(want)
			if err != nil {
				t.Fatal(err)
			}
			img, err := key.Image(200, 200)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := png.Encode(&buf, img); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), enr.QRCodePNG) {
				t.Fatal("the QR code is not the PNG of the key URI")
			}
		})
	}
}
