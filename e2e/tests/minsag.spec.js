// Min sag on a phone (SPEC C7): a child asks for a bisidder, the coordinator assigns one
// and sends the private link; the child opens it, gets a one-time code by SMS (read from
// the development mailbox, as no SMS gateway runs here), and sees their bisidder, the
// next meeting and their rights; the quick exit leaves for a neutral site without leaving
// the case page in the back history. axe-core checks every page; 320 px has no sideways
// scrolling.
const { test, expect } = require('./fixtures');
const {
  DEMO_PASSWORD,
  DESKTOP,
  PHONE,
  expectNoHorizontalScroll,
  formWith,
  randomLetters,
  signIn,
  signOut,
  submit,
  visit,
  weekdayAtLeast,
} = require('./journey-helpers');

const COORDINATOR = 'koordinator@demo.bisidder.dk';
const PLATFORM = 'platform@demo.bisidder.dk';
const NEUTRAL = 'https://www.dr.dk/';

async function tick(scope, id) {
  await scope.locator(`label[for=${id}]`).click();
  await expect(scope.locator(`#${id}`)).toBeChecked();
}

/** The newest development-mailbox message to `phone` whose text matches `re`. */
async function newestSms(admin, axe, phone, re) {
  await visit(admin, axe, '/platform', 'platform page with the development mailbox');
  const mail = admin.locator('details.mail').filter({ hasText: phone }).filter({ hasText: re }).first();
  await expect(mail).toHaveCount(1);
  return (await mail.locator('pre').textContent()).trim();
}

test.describe.serial('Min sag', () => {
  test.use({ actionTimeout: 15_000 });

  test('a child opens Min sag on a phone with the link and a code', async ({ page, axe, browser }) => {
    test.setTimeout(240_000);
    const firstName = `Alma${randomLetters(4)}`;
    const phone = `2${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const meetingDate = weekdayAtLeast(2);

    await test.step('the child asks for a bisidder on the public form', async () => {
      await page.setViewportSize(PHONE);
      await visit(page, axe, '/o/demo-bv/anmod?for=self', 'public request form');
      await page.fill('#first_name', firstName);
      await page.fill('#age', '11');
      await page.selectOption('#gender', 'girl');
      await page.fill('#phone', phone);
      await tick(page, 'safe_sms');
      await page.fill('#safe_times', 'efter skole');
      await page.selectOption('#authority', 'kommune');
      await page.fill('#meeting_date', meetingDate);
      await page.fill('#meeting_time', '10:00');
      await page.fill('#postcode', '2100');
      await tick(page, 'consent_contact');
      await submit(page, page.locator('main form button[type=submit]'));
      await expect(page.locator('[data-testid=request-ref]')).toHaveText(/^H-\S+$/);
      await axe.check(page, 'receipt');
    });

    await test.step('the coordinator logs consent, assigns a bisidder and sends the link', async () => {
      await page.setViewportSize(DESKTOP);
      await signIn(page, axe, COORDINATOR, 'coordinator (Min sag)');
      await visit(page, axe, '/intake', 'intake queue');
      const link = page.getByRole('link', { name: firstName, exact: true });
      await submit(page, link);
      await axe.check(page, 'request, new');
      const consent = formWith(page, 'spoke_with_person');
      await tick(consent, 'spoke_with_person');
      await consent.locator('#method').selectOption('phone');
      await tick(consent, 'answer_yes');
      await submit(page, consent.locator('[data-testid=save-consent]'));
      await axe.check(page, 'request, consent given');
      await submit(page, page.locator('[data-testid=candidates] [data-testid=assign]').first());
      await expect(page.locator('[data-testid=status]')).toHaveText('Bisidder fundet');
      await axe.check(page, 'request, assigned');
      await submit(page, page.locator('[data-testid=send-minsag-link]'));
      await axe.check(page, 'request, Min sag link sent');
      await signOut(page, axe, 'coordinator (Min sag)');
    });

    // The mailbox is read in a browser context of its own (a separate person's browser).
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signIn(admin, axe, PLATFORM, 'platform admin (mailbox)', DEMO_PASSWORD, 'Platformen');
    const linkSms = await newestSms(admin, axe, phone, /\/minsag\//);
    expect(linkSms).not.toContain(firstName);
    const minsagPath = new URL(linkSms.match(/https?:\/\/\S+\/minsag\/[A-Za-z0-9_-]+/)[0]).pathname;

    await test.step('the child opens the link and types the code from the SMS', async () => {
      await page.setViewportSize(PHONE);
      await visit(page, axe, minsagPath, 'Min sag: open your page');
      await expect(page).toHaveTitle('Min side');
      await expect(page.locator('[data-testid=quick-exit]')).toBeVisible();
      await submit(page, page.locator('[data-testid=send-code]'));
      await axe.check(page, 'Min sag: code sent');
      const codeSms = await newestSms(admin, axe, phone, /kode er/);
      const code = codeSms.match(/\d{6}/)[0];
      const form = page.locator('[data-testid=code-form]');
      await form.locator('#code').fill(code);
      await submit(page, form.locator('button[type=submit]'));
      await expect(page).toHaveURL(/\/minsag$/);
    });

    await test.step('the child sees the bisidder, the next meeting and the rights', async () => {
      await axe.check(page, 'Min sag: home');
      await expect(page).toHaveTitle('Min side');
      await expect(page.locator('h1')).toHaveText('Her er din side');
      await expect(page.locator('[data-testid=bisidder-name] strong')).not.toHaveText('');
      await expect(page.locator('[data-testid=next-meetings]')).toContainText('Før mødet');
      await expect(page.locator('[data-testid=next-meetings]')).toContainText(meetingDate);
      await expect(page.locator('[data-testid=rights] li')).toHaveCount(4);
      await expect(page.locator('main')).toContainText('116 111');
      await page.setViewportSize({ width: 320, height: 640 });
      await expectNoHorizontalScroll(page, 320, 'Min sag home');
      await page.setViewportSize(PHONE);
      await submit(page, page.locator('[data-testid=lookups-link]'));
      await axe.check(page, 'Min sag: who has looked');
      await expect(page.locator('[data-testid=lookups]')).toContainText('En der styrer sager');
      await submit(page, page.getByRole('link', { name: 'Tilbage til din side' }));
      await axe.check(page, 'Min sag: home again');
    });

    await test.step('the quick exit leaves and the case page is not in the back history', async () => {
      await page.route(`${NEUTRAL}**`, (route) =>
        route.fulfill({
          contentType: 'text/html',
          body: '<!DOCTYPE html><html lang="da"><head><title>DR</title></head><body><main><h1>Nyheder</h1></main></body></html>',
        }),
      );
      await submit(page, page.locator('[data-testid=quick-exit]'));
      await expect(page).toHaveURL(NEUTRAL);
      await axe.check(page, 'neutral site (stub)');
      await page.goBack();
      await page.waitForLoadState('load');
      expect(new URL(page.url()).pathname, 'the case page was replaced in the history').not.toBe('/minsag');
      await axe.check(page, 'the page before Min sag');
    });

    await signOut(admin, axe, 'platform admin (mailbox)');
    await adminContext.close();
  });
});
