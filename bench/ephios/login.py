"""Sign in to a running ephios the way a browser does and print the headers for oha.

    login.py BASE_URL EMAIL PASSWORD

GET the login form (CSRF cookie + token), POST it, and check that the session
really is signed in (GET / answers 200 with the user's name, not a redirect).
Prints a JSON object: {"cookie": "csrftoken=…; sessionid=…", "csrf": "…"}.

ephios sets Secure cookies and, with DEBUG off, redirects plain HTTP to HTTPS; its
documented deployment puts nginx in front, which terminates TLS and sends
`X-Forwarded-Proto: https` (TRUST_X_FORWARDED_PROTO=True). The benchmark talks to
gunicorn directly and sends that header itself, so the cookies are carried by hand
(an HTTP client would not send Secure cookies over http://). Django checks the Origin
of unsafe requests over HTTPS, so every POST carries Origin as a browser would.
"""

import json
import re
import sys

import requests


def main():
    base, email, password = sys.argv[1:4]
    origin = "https://" + base.split("://", 1)[1].rstrip("/")
    headers = {"X-Forwarded-Proto": "https", "Accept-Language": "en", "Origin": origin}
    jar = {}

    def remember(resp):
        for c in resp.cookies:
            jar[c.name] = c.value

    def cookie():
        return "; ".join(f"{k}={v}" for k, v in sorted(jar.items()))

    r = requests.get(f"{base}/accounts/login/", headers=headers, allow_redirects=False, timeout=30)
    r.raise_for_status()
    remember(r)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text).group(1)
    r = requests.post(
        f"{base}/accounts/login/",
        headers={**headers, "Cookie": cookie(), "Referer": f"{origin}/accounts/login/"},
        data={"csrfmiddlewaretoken": token, "username": email, "password": password},
        allow_redirects=False,
        timeout=30,
    )
    if r.status_code != 302:
        sys.exit(f"login as {email} failed: HTTP {r.status_code}")
    remember(r)
    r = requests.get(f"{base}/", headers={**headers, "Cookie": cookie()}, allow_redirects=False,
                     timeout=30)
    if r.status_code != 200 or "Sign out" not in r.text and "Abmelden" not in r.text:
        sys.exit(f"after login as {email}, GET / answered {r.status_code} without a signed-in page")
    remember(r)
    print(json.dumps({"cookie": cookie(), "csrf": jar["csrftoken"]}))


if __name__ == "__main__":
    main()
