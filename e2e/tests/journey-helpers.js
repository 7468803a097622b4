// Helpers shared by the multi-user journeys (tests/intake.spec.js): signing in as the
// demo users with password and TOTP (enrolling at the first sign-in), signing out, and
// dates in Europe/Copenhagen.
//
// The demo users' TOTP secrets live in a module-level map, so a user enrols once per
// run and later sign-ins use the code page. A code is accepted once per 30-second step
// per user, so each user's last used step is remembered and the next sign-in waits for
// a fresh step, as a person with an authenticator app would.
const { expect } = require('./fixtures');
const { msLeftInStep, stepAt, totpForStep } = require('./totp');

const DEMO_PASSWORD = 'demo-Bisidder-2026';
const ORG_NAME = 'Børns Vilkår (demo)';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/** email -> { secret, lastStep } */
const totpUsers = new Map();

/** Clicks a link or a form's submit button and waits for the page it leads to. */
async function submit(page, target) {
  const navigated = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await target.click();
  await navigated;
  await page.waitForLoadState('load');
}

function formWith(page, inputName) {
  return page.locator('form').filter({ has: page.locator(`input[name=${inputName}]`) });
}

async function waitForStepAfter(page, step) {
  while (stepAt() <= step) await page.waitForTimeout(msLeftInStep() + 100);
}

/** A code for `email` that has not been used yet, with at least 3 s left in its step. */
async function freshCode(page, email) {
  const user = totpUsers.get(email);
  if (user.lastStep !== undefined) await waitForStepAfter(page, user.lastStep);
  if (msLeftInStep() < 3_000) await waitForStepAfter(page, stepAt());
  const step = stepAt();
  user.lastStep = step;
  return totpForStep(user.secret, step);
}

async function submitCode(page, code) {
  const form = formWith(page, 'code');
  await form.locator('input[name=code]').fill(code);
  await submit(page, form.locator('button[type=submit]'));
}

/**
 * Signs `email` in from wherever the page is: the sign-in page, then TOTP enrolment
 * (first time in this run) or the code page, landing on /start.
 */
async function signIn(page, axe, email, label, password = DEMO_PASSWORD, orgName = ORG_NAME) {
  await page.goto('/login');
  await expect(page).toHaveURL(/\/login(\?.*)?$/);
  await axe.check(page, `sign-in page (${label})`);
  const form = formWith(page, 'password');
  await form.locator('input[name=email]').fill(email);
  await form.locator('input[name=password]').fill(password);
  await submit(page, form.locator('button[type=submit]'));
  if (/\/login(\?.*)?$/.test(page.url())) {
    const alert = await page.locator('[role=alert]').allInnerTexts();
    throw new Error(`the password sign-in of ${email} was refused: ${alert.join(' ').trim() || '(no message)'}`);
  }

  if (!totpUsers.has(email)) {
    await expect(page, `the first sign-in of ${email} enrols TOTP`).toHaveURL(/\/login\/totp\/enrol$/);
    await axe.check(page, `TOTP enrolment (${label})`);
    const secret = (await page.locator('[data-testid=totp-secret]').innerText()).replace(/[\s-]+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}=*$/i);
    totpUsers.set(email, { secret, lastStep: undefined });
  } else {
    await expect(page, `a later sign-in of ${email} asks for a code`).toHaveURL(/\/login\/totp$/);
    await axe.check(page, `TOTP code page (${label})`);
  }
  await submitCode(page, await freshCode(page, email));
  await expect(page).toHaveURL(/\/start$/);
  await expect(page.locator('button[data-testid=logout]')).toBeVisible();
  await expect(page.locator('main')).toContainText(orgName);
  await axe.check(page, `start page (${label})`);
}

async function signOut(page, axe, label) {
  await submit(page, page.locator('button[data-testid=logout]'));
  await expect(page.locator('button[data-testid=logout]')).toHaveCount(0);
  await axe.check(page, `public page after signing out (${label})`);
}

/** Goes to `path` and runs axe there. */
async function visit(page, axe, path, label) {
  await page.goto(path);
  await axe.check(page, label);
}

async function expectNoHorizontalScroll(page, width, label) {
  const scrollWidth = await page.evaluate(() => document.scrollingElement.scrollWidth);
  expect(scrollWidth, `${label}: content width at a ${width} px viewport`).toBeLessThanOrEqual(width);
}

// ---- dates in Europe/Copenhagen ------------------------------------------------------

/** Today's date in Copenhagen as a UTC-midnight Date (for calendar arithmetic only). */
function copenhagenToday() {
  const ymd = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Copenhagen',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
  return new Date(`${ymd}T00:00:00Z`);
}

function isoDate(d) {
  return d.toISOString().slice(0, 10);
}

/** The first Monday–Friday at least `minDays` days after today in Copenhagen (YYYY-MM-DD). */
function weekdayAtLeast(minDays) {
  const d = copenhagenToday();
  d.setUTCDate(d.getUTCDate() + minDays);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return isoDate(d);
}

/** A short random run of lower-case letters, to make names unique per run. */
function randomLetters(n) {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let s = '';
  for (let i = 0; i < n; i += 1) s += letters[Math.floor(Math.random() * letters.length)];
  return s;
}

module.exports = {
  DEMO_PASSWORD,
  DESKTOP,
  ORG_NAME,
  PHONE,
  expectNoHorizontalScroll,
  formWith,
  randomLetters,
  signIn,
  signOut,
  submit,
  visit,
  weekdayAtLeast,
};
