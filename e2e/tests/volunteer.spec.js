// Onboarding a volunteer (SPEC C10): a person applies on the scheme's public form on a
// phone; the demo coordinator screens and approves them, which creates their account in
// training, and records their internal course. Every page passes axe.
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
} = require('./journey-helpers');

const COORDINATOR = 'koordinator@demo.bisidder.dk';

test('a volunteer applies on a phone and a coordinator screens and approves them', async ({ page, axe }) => {
  test.setTimeout(180_000);
  const name = `Vera ${randomLetters(6)}`;

  await test.step('the volunteer applies on a phone', async () => {
    await page.setViewportSize(PHONE);
    await visit(page, axe, '/o/demo-bv/bliv-bisidder', 'volunteer application form');
    await expect(page.locator('h1')).toHaveText('Bliv frivillig bisidder');
    await page.setViewportSize({ width: 320, height: 640 });
    await expectNoHorizontalScroll(page, 320, 'volunteer application form');
    await page.setViewportSize(PHONE);
    // A town we do not know is explained, and what was typed is kept.
    await page.fill('#name', name);
    await page.fill('#email', `${name.replace(' ', '.').toLowerCase()}@example.org`);
    await page.fill('#town', 'Atlantis');
    await submit(page, page.getByRole('button', { name: 'Send ansøgning' }));
    await expect(page.locator('[role=alert]')).toContainText('Skriv en dansk by, vi kender');
    await expect(page.locator('#name')).toHaveValue(name);
    await axe.check(page, 'volunteer application with an error');
    await page.fill('#town', 'Vejle');
    await page.fill('#motivation', 'Jeg vil gerne støtte unge til møder.');
    await page.selectOption('#heard_of', 'friend');
    await submit(page, page.getByRole('button', { name: 'Send ansøgning' }));
    await expect(page.locator('[role=status]')).toContainText('Vi har fået din ansøgning');
    await axe.check(page, 'volunteer application sent');
  });

  await test.step('the coordinator screens and approves', async () => {
    await page.setViewportSize(DESKTOP);
    await signIn(page, axe, COORDINATOR, 'coordinator');
    await submit(page, page.getByRole('link', { name: 'Bisiddere', exact: true }));
    await expect(page).toHaveURL(/\/volunteers$/);
    await axe.check(page, 'volunteers overview');
    await submit(page, page.locator('[data-testid=applications]').getByRole('link', { name }));
    await axe.check(page, 'volunteer application');
    await expect(page.locator('main')).toContainText('Jeg vil gerne støtte unge til møder.');
    await page.selectOption('#experience', '4');
    await page.selectOption('#communication', '5');
    await page.fill('#note', 'God samtale, erfaring fra klubarbejde.');
    await submit(page, page.getByRole('button', { name: 'Godkend som bisidder' }));
    await expect(page).toHaveURL(/\/volunteers$/);
    const row = page.locator('[data-testid=people] tbody tr').filter({ hasText: name });
    await expect(row).toContainText('Under oplæring');
    await axe.check(page, 'volunteers overview after approval');

    // The internal course is recorded for the new bisidder.
    await row.locator('summary').click();
    await row.locator('select[name=kind]').selectOption('internal_course');
    await row.locator('input[name=done_on]').fill('2026-01-15');
    await submit(page, row.getByRole('button', { name: 'Gem' }));
    await expect(page).toHaveURL(/\/volunteers$/);
    await axe.check(page, 'volunteers overview after recording a course');
    await signOut(page, axe, 'coordinator');
  });
});
