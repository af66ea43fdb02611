// The visible text of the page, run in the browser by zh-cn-complete.test.ts (plain JavaScript:
// the tests are compiled without the DOM's types). `skip`: selectors whose text is data, not UI.
(skip) => {
  const hidden = new Set(skip.flatMap((selector) => [...document.querySelectorAll(selector)]));
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || [...hidden].some((element) => element.contains(parent))) continue;
    if (parent.closest('script, style, [hidden], [aria-hidden=true]')) continue;
    const style = getComputedStyle(parent);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const value = node.textContent?.trim();
    if (value) parts.push(value);
  }
  for (const input of document.querySelectorAll('input[placeholder], textarea[placeholder]'))
    parts.push(input.placeholder);
  for (const element of document.querySelectorAll('[aria-label], [title]'))
    parts.push(element.getAttribute('aria-label') ?? '', element.getAttribute('title') ?? '');
  return parts;
};
