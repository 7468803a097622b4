// A coordinator signs in with password and TOTP (enrolling on first sign-in), switches
// language, signs out, and signs in again, where a replayed TOTP code is refused.
// Runs against the app started by scripts/test.sh with demo data, TOTP required, and
// the user E2E_EMAIL / E2E_PASSWORD created by the CLI.
const { test, expect } = require('./fixtures');
const { msLeftInStep, stepAt, totpForStep } = require('./totp');

const EMAIL = process.env.E2E_EMAIL;
const PASSWORD = process.env.E2E_PASSWORD;
const ORG_NAME = 'Børns Vilkår (demo)';

// Clicks a form's submit button and waits for the page it leads to.
async function submit(page, button) {
  const navigated = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await button.click();
  await navigated;
  await page.waitForLoadState('load');
}

function formWith(page, inputName) {
  return page.locator('form').filter({ has: page.locator(`input[name=${inputName}]`) });
}

async function signInWithPassword(page, axe) {
  await expect(page).toHaveURL(/\/login(\?.*)?$/);
  await axe.check(page, 'sign-in page');
  const form = formWith(page, 'password');
  await form.locator('input[name=email]').fill(EMAIL);
  await form.locator('input[name=password]').fill(PASSWORD);
  await submit(page, form.locator('button[type=submit]'));
}

async function submitCode(page, code) {
  const form = formWith(page, 'code');
  await form.locator('input[name=code]').fill(code);
  await submit(page, form.locator('button[type=submit]'));
}

// TOTP codes change only at 30-second boundaries, so these waits follow the clock
// (as a person with an authenticator app would), not a guessed delay.
async function waitForStepAfter(page, step) {
  while (stepAt() <= step) await page.waitForTimeout(msLeftInStep() + 100);
}

async function waitUntilStepHasLeft(page, ms) {
  if (msLeftInStep() < ms) await waitForStepAfter(page, stepAt());
}

async function expectStartPage(page, axe, label) {
  await expect(page).toHaveURL(/\/start$/);
  await expect(page.locator('h1')).toBeVisible();
  await expect(page.locator('main')).toContainText(ORG_NAME);
  await axe.check(page, label);
}

async function signOut(page, axe) {
  await submit(page, page.locator('button[data-testid=logout]'));
  await expect(page).not.toHaveURL(/\/start$/);
  await expect(page.locator('button[data-testid=logout]')).toHaveCount(0);
  await axe.check(page, 'public page after signing out');

  await page.goto('/start');
  await expect(page).toHaveURL(/\/login(\?.*)?$/);
}

test.beforeAll(() => {
  if (!EMAIL || !PASSWORD) {
    throw new Error('E2E_EMAIL and E2E_PASSWORD must name a user without TOTP (scripts/test.sh creates one)');
  }
});

test('a coordinator enrols TOTP, switches language, signs out and in again', async ({ page, axe }) => {
  test.setTimeout(180_000);

  await test.step('the public front page is Danish and links to sign-in', async () => {
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('lang', 'da');
    await axe.check(page, 'front page');
    await submit(page, page.locator('a[href="/login"]').first());
  });

  let secret;
  let enrolStep;
  let enrolCode;
  await test.step('the first sign-in enrols TOTP and lands on the start page', async () => {
    await signInWithPassword(page, axe);
    await expect(page).toHaveURL(/\/login\/totp\/enrol$/);
    await axe.check(page, 'TOTP enrolment');
    secret = (await page.locator('[data-testid=totp-secret]').innerText()).replace(/[\s-]+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}=*$/i);

    // The replay below must happen within this same time step.
    await waitUntilStepHasLeft(page, 25_000);
    enrolStep = stepAt();
    enrolCode = totpForStep(secret, enrolStep);
    await submitCode(page, enrolCode);
    await expectStartPage(page, axe, 'start page');
  });

  await test.step('signing out ends the session', async () => {
    await signOut(page, axe);
  });

  await test.step('a TOTP code already used is refused, the next one is accepted', async () => {
    await signInWithPassword(page, axe);
    await expect(page).toHaveURL(/\/login\/totp$/);
    await axe.check(page, 'TOTP code page');

    expect(stepAt(), 'the replay must be tried within the time step the code was used in').toBe(enrolStep);
    await submitCode(page, enrolCode);
    await expect(page, 'a replayed code must not sign in').toHaveURL(/\/login\/totp(\?.*)?$/);
    await expect(page.locator('[role=alert]').first()).toBeVisible();
    await expect(page.locator('button[data-testid=logout]')).toHaveCount(0);
    await axe.check(page, 'TOTP code page, replayed code refused');

    await waitForStepAfter(page, enrolStep);
    await submitCode(page, totpForStep(secret, stepAt()));
    await expectStartPage(page, axe, 'start page, second sign-in');
  });

  await test.step('the language switch shows the same page in English and back in Danish', async () => {
    const danishH1 = await page.locator('h1').innerText();
    const danishMain = await page.locator('main').innerText();

    await submit(page, page.locator('button[data-testid=lang-switch]'));
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page).toHaveURL(/\/start$/);
    await expect(page.locator('h1')).toBeVisible();
    expect(await page.locator('main').innerText(), 'the start page text in English').not.toBe(danishMain);
    await expect(page.locator('main')).toContainText(ORG_NAME);
    await axe.check(page, 'start page in English');

    await submit(page, page.locator('button[data-testid=lang-switch]'));
    await expect(page.locator('html')).toHaveAttribute('lang', 'da');
    await expect(page).toHaveURL(/\/start$/);
    await expect(page.locator('h1')).toHaveText(danishH1);
    await axe.check(page, 'start page in Danish again');
  });

  await test.step('signing out again ends the session', async () => {
    await signOut(page, axe);
    await axe.check(page, 'sign-in page after the session ended');
  });
});

test.describe('on a 320 px wide screen', () => {
  test.use({ viewport: { width: 320, height: 640 } });

  for (const [label, path] of [
    ['front page', '/'],
    ['sign-in page', '/login'],
  ]) {
    test(`the ${label} has no horizontal scroll`, async ({ page, axe }) => {
      await page.goto(path);
      await axe.check(page, `${label} at 320 px`);
      const scrollWidth = await page.evaluate(() => document.scrollingElement.scrollWidth);
      expect(scrollWidth, `${label} content width at a 320 px viewport`).toBeLessThanOrEqual(320);
    });
  }
});
