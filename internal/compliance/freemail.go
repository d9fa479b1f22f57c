package compliance

// freeMailDomains are domains of free personal mail services: a root email there belongs to a
// person, not to a team's mailbox of the organization's own domain.
var freeMailDomains = map[string]bool{}

func init() {
	for _, d := range []string{
		"gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.co.jp", "yahoo.fr", "yahoo.de",
		"ymail.com", "rocketmail.com", "outlook.com", "outlook.de", "hotmail.com", "hotmail.co.uk",
		"hotmail.fr", "hotmail.de", "live.com", "live.co.uk", "msn.com", "icloud.com", "me.com", "mac.com",
		"aol.com", "gmx.com", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "web.de", "mail.com", "email.com",
		"protonmail.com", "protonmail.ch", "proton.me", "pm.me", "tutanota.com", "tutanota.de", "tuta.io",
		"fastmail.com", "fastmail.fm", "hey.com", "zoho.com", "zohomail.com", "yandex.com", "yandex.ru",
		"mail.ru", "inbox.ru", "list.ru", "bk.ru", "rambler.ru", "qq.com", "163.com", "126.com",
		"sina.com", "sohu.com", "yeah.net", "naver.com", "daum.net", "hanmail.net", "libero.it",
		"virgilio.it", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr", "t-online.de",
		"freenet.de", "btinternet.com", "sky.com", "comcast.net", "verizon.net", "att.net",
		"sbcglobal.net", "cox.net", "charter.net", "earthlink.net", "rediffmail.com", "seznam.cz",
		"wp.pl", "o2.pl", "interia.pl", "onet.pl", "bol.com.br", "uol.com.br", "terra.com.br",
	} {
		freeMailDomains[d] = true
	}
}
