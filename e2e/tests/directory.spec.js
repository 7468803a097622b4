// Directory journeys (SPEC C9), against the app started with `bisidder demo --require-totp`:
//  1. anyone searches the national directory on a phone (no account) and opens a scheme;
//  2. the children's scheme cannot take a request and refers it, with the child's consent,
//     to the Odense volunteer scheme, whose coordinator finds it in their own intake;
//  3. the children's scheme's admin keeps its directory profile.
const { test, expect } = require('./fixtures');
const {
  DESKTOP,
  PHONE,
  expectNoHorizontalScroll,
  randomLetters,
  signIn,
  signOut,
  submit,
  visit,
  weekdayAtLeast,
} = require('./journey-helpers');

const COORDINATOR = 'koordinator@demo.bisidder.dk';
const ORG_ADMIN = 'leder@demo.bisidder.dk';
const ODENSE_COORDINATOR = 'koordinator@odense.demo.bisidder.dk';
const ODENSE = 'Bisiddergruppen Odense (demo)';

async function tick(scope, id) {
  await scope.locator(`label[for=${id}]`).click();
  await expect(scope.locator(`#${id}`)).toBeChecked();
}

test.describe.serial('directory journeys', () => {
  test.use({ actionTimeout: 15_000 });

  test('anyone finds a bisidder scheme on a phone', async ({ page, axe }) => {
    await page.setViewportSize(PHONE);
    await visit(page, axe, '/bisiddere', 'directory');
    await expect(page.locator('h1')).toHaveText('Find en bisidder');
    await expect(page.locator('main')).toContainText('Baglandet i Ålborg');
    await page.setViewportSize({ width: 320, height: 640 });
    await expectNoHorizontalScroll(page, 320, 'directory');

    const form = page.locator('[data-testid=directory-search]');
    await form.locator('#meeting_type').selectOption('housing');
    await form.locator('#kommune').selectOption('0461');
    await submit(page, form.locator('button[type=submit]'));
    await expect(page).toHaveURL(/\/bisiddere\?.*kommune=0461/);
    await axe.check(page, 'directory results');
    await expectNoHorizontalScroll(page, 320, 'directory results');
    const first = page.locator('[data-testid=results] > li').first();
    await expect(first.locator('h3')).toHaveText(ODENSE);
    await expect(first).toContainText('km væk');

    await submit(page, first.getByRole('link', { name: ODENSE }));
    await expect(page).toHaveURL(/\/bisiddere\/[^/?]+$/);
    await expect(page.locator('h1')).toHaveText(ODENSE);
    await expect(page.locator('main')).toContainText('Odense');
    await axe.check(page, 'scheme profile');
    await expectNoHorizontalScroll(page, 320, 'scheme profile');

    // A town we do not know: a clear message, nothing breaks.
    await page.goto('/bisiddere?town=Atlantis');
    await expect(page.locator('[role=alert]')).toContainText('Vi kender ikke den by');
    await axe.check(page, 'directory, unknown town');

    await visit(page, axe, '/bisiddere/analyse', 'directory analytics');
    await expect(page.locator('h1')).toHaveText('Bisidderordninger i tal');
    await expectNoHorizontalScroll(page, 320, 'directory analytics');
  });

  test('a request the children\'s scheme cannot take is referred to the Odense scheme', async ({ page, axe }) => {
    test.setTimeout(240_000);
    const firstName = `Alma${randomLetters(4)}`;

    await test.step('a child asks for a bisidder for a meeting in Odense', async () => {
      await page.setViewportSize(PHONE);
      await visit(page, axe, '/o/demo-bv/anmod?for=self', 'public request form');
      await page.fill('#first_name', firstName);
      await page.fill('#age', '14');
      await page.selectOption('#gender', 'girl');
      await page.fill('#phone', '20304051');
      await tick(page, 'safe_sms');
      await page.selectOption('#authority', 'kommune');
      await page.fill('#meeting_date', weekdayAtLeast(3));
      await page.fill('#meeting_time', '11:00');
      await page.fill('#postcode', '5000');
      await tick(page, 'consent_contact');
      await submit(page, page.locator('main form button[type=submit]'));
      await expect(page.locator('h1')).toHaveText('Tak. Vi har fået din henvendelse');
      await axe.check(page, 'receipt');
    });

    await test.step('the coordinator refers it with the child\'s consent', async () => {
      await page.setViewportSize(DESKTOP);
      await signIn(page, axe, COORDINATOR, 'coordinator (referral)');
      await visit(page, axe, '/intake', 'intake queue');
      const link = page.getByRole('link', { name: firstName, exact: true });
      await submit(page, link);
      await expect(page.locator('[data-testid=status]')).toHaveText('Ny');
      const refer = page.locator('[data-testid=refer-form]');
      await expect(refer).toContainText(ODENSE);
      await axe.check(page, 'request with referral suggestions');

      // Without the consent box ticked nothing is sent.
      await refer.locator('#refer_reason').selectOption('no_capacity');
      await submit(page, refer.locator('button[type=submit]'));
      await expect(page.locator('main')).toContainText('Henvis kun, når personen har sagt ja');
      await expect(page.locator('[data-testid=status]')).toHaveText('Ny');
      await axe.check(page, 'referral refused without consent');

      const again = page.locator('[data-testid=refer-form]');
      await again.locator('#refer_reason').selectOption('no_capacity');
      await tick(again, 'refer_consent');
      await submit(page, again.locator('button[type=submit]'));
      await expect(page.locator('[data-testid=status]')).toHaveText('Henvist');
      await expect(page.locator('[data-testid=referrals]')).toContainText(ODENSE);
      await expect(page.locator('[data-testid=referral-status]')).toHaveText('Venter på svar');
      await axe.check(page, 'request referred');
      await signOut(page, axe, 'coordinator (referral)');
    });

    await test.step('the Odense coordinator finds the referral in their intake', async () => {
      await signIn(page, axe, ODENSE_COORDINATOR, 'Odense coordinator', undefined, ODENSE);
      await visit(page, axe, '/intake', 'Odense intake queue');
      const link = page.getByRole('link', { name: firstName, exact: true });
      await expect(link).toHaveCount(1);
      await submit(page, link);
      await expect(page.locator('[data-testid=status]')).toHaveText('Ny');
      await expect(page.locator('[data-testid=first-name]')).toHaveText(firstName);
      await axe.check(page, 'referred request in Odense');
      await signOut(page, axe, 'Odense coordinator');
    });
  });

  test('the organisation admin keeps the scheme\'s directory profile', async ({ page, axe }) => {
    const hours = `Hverdage 9-15 (${randomLetters(4)})`;
    await page.setViewportSize(DESKTOP);
    await signIn(page, axe, ORG_ADMIN, 'org admin');
    await visit(page, axe, '/org/scheme', 'our scheme profile');
    await expect(page.locator('h1')).toHaveText('Vores bisidderordning');
    await expect(page.locator('main')).toContainText('Bekræftet');
    await page.fill('#opening_hours', hours);
    // A kommune that does not exist is named next to its field, nothing is saved.
    await page.fill('#kommuner', 'Atlantis');
    await submit(page, page.locator('main form button[type=submit]'));
    await expect(page.locator('[role=alert]')).toContainText('Vælg en kommune');
    await axe.check(page, 'profile form with a problem');
    await page.fill('#kommuner', '');
    await submit(page, page.locator('main form button[type=submit]'));
    await expect(page).toHaveURL(/\/org\/scheme\?saved=1$/);
    await axe.check(page, 'profile saved');
    await submit(page, page.getByRole('link', { name: 'Se den offentlige profil' }));
    await expect(page.locator('main')).toContainText(hours);
    await axe.check(page, 'public profile after saving');
    await signOut(page, axe, 'org admin');
  });
});
