"""A member's day in a real browser: come back to a group and see what is new, jump to it,
quote a selected sentence, mention someone with autocomplete, lose the connection mid-draft and
find the draft, find a post by its author through search; axe on the new pages."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.conftest import screenshot, sign_in


def _start_thread(page, base: str, title: str, body: str) -> str:
    page.goto(f"{base}/topics/1")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Opening post").fill(body)
    page.get_by_role("button", name="Start thread").click()
    page.get_by_role("heading", name=title).wait_for()
    return re.sub(r"[?#].*$", "", page.url)


def _reply(page, text: str) -> None:
    page.get_by_label("Your reply").fill(text)
    page.get_by_role("button", name="Post reply").click()
    page.locator("article.post", has_text=text).wait_for()


def _select_words(page, article, words: str) -> None:
    """Select `words` inside the article's body, as a reader dragging over them would."""
    article.locator(".body").evaluate(
        """(body, words) => {
             const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
             let node;
             while ((node = walker.nextNode())) {
               const at = node.textContent.indexOf(words);
               if (at >= 0) {
                 const range = document.createRange();
                 range.setStart(node, at);
                 range.setEnd(node, at + words.length);
                 const selection = window.getSelection();
                 selection.removeAllRanges();
                 selection.addRange(range);
                 return;
               }
             }
             throw new Error("words not found");
           }""", words)


def test_a_members_day(site, new_page):
    base = site["base"]
    mark = uuid.uuid4().hex[:6]
    title = f"Interpreting budgets {mark}"
    amina = new_page()
    sign_in(amina, base, "amina")
    thread_url = _start_thread(amina, base, title, "What should the budget cover?")

    # Tomasz answers while Amina is away.
    tomasz = new_page()
    sign_in(tomasz, base, "tomasz")
    tomasz.goto(thread_url)
    answer = f"Budgets are tight this year. Interpreters must be paid properly {mark}."
    _reply(tomasz, answer)

    # Amina comes back: the group says what is new, the topic names the thread, the thread page
    # jumps to the first post she has not read.
    amina.goto(f"{base}/groups/health-strategy")
    amina.locator("ul.topics li", has_text="access to interpreting").locator("a.unread").click()
    row = amina.locator("ul.threads li", has_text=title)
    row.locator("a.unread", has_text="1 new").click()
    amina.get_by_role("link", name="Jump to the first unread post").click()
    amina.wait_for_url(re.compile(r"#post-\d+$"))
    target = amina.url.rsplit("#", 1)[1]
    new_post = amina.locator(f"article#{target}")
    assert answer in new_post.inner_text()

    # She quotes one sentence she selected: the composer gets it, the page stays.
    _select_words(amina, new_post, "Interpreters must be paid properly")
    new_post.get_by_role("link", name="Quote").click()
    box = amina.get_by_label("Your reply")
    post_id = target.split("-")[1]
    expected = (f"> [[post:{post_id}]] **Tomasz W, Polish Community Trust** wrote:\n"
                "> Interpreters must be paid properly\n\n")
    amina.wait_for_function("() => document.querySelector('#body').value.length > 0")
    assert box.input_value() == expected
    assert "quote=" not in amina.url

    # She mentions Priya, found by typing the start of her name.
    box.press("End")
    box.type("I agree, @pri")
    listbox = amina.get_by_role("listbox")
    option = listbox.get_by_role("option", name=re.compile("Priya S"))
    option.wait_for()
    assert listbox.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    assert option.get_attribute("aria-selected") == "true"
    box.press("ArrowDown")
    box.press("ArrowUp")
    box.press("Enter")
    assert listbox.is_hidden()
    assert box.input_value().endswith("I agree, @priya ")
    box.type("what do you think?")
    screenshot(amina, "composer-quote-mention")
    amina.get_by_role("button", name="Post reply").click()
    posted = amina.locator("article.post", has_text="what do you think?")
    posted.wait_for()
    assert posted.locator("blockquote").count() == 1
    assert posted.locator("a[href='/users/priya']").count() == 1

    # Mid-draft the connection drops; the draft is kept once it is back, and found elsewhere.
    amina.goto(thread_url)
    box = amina.get_by_label("Your reply")
    box.fill("")
    box.type("Words written before the drop")
    amina.locator(".draft-status", has_text="Draft saved").wait_for()
    amina.context.set_offline(True)
    box.type(" and after it")
    amina.locator(".draft-status", has_text="Not saved yet").wait_for()
    amina.context.set_offline(False)
    amina.locator(".draft-status", has_text="Draft saved").wait_for(timeout=15_000)
    elsewhere = amina.context.new_page()
    elsewhere.goto(thread_url)
    elsewhere.locator(".draft-status", has_text="Your draft was restored").wait_for()
    again = elsewhere.get_by_label("Your reply")
    assert again.input_value() == "Words written before the drop and after it"
    # A post arriving live leaves the draft alone.
    _reply(tomasz, f"Another thought {mark}")
    elsewhere.locator("article.post", has_text=f"Another thought {mark}").wait_for()
    assert again.input_value() == "Words written before the drop and after it"

    # She finds Tomasz's post by its author through search.
    amina.goto(f"{base}/search")
    amina.get_by_label("Search posts, threads, topics and summaries").fill(f"interpreters {mark}")
    amina.get_by_label("Author (username)").fill("tomasz")
    amina.get_by_role("button", name="Search").click()
    hit = amina.locator("ol.results li", has_text="Tomasz W")
    hit.first.wait_for()
    assert hit.first.locator("mark").count() >= 1
    assert hit.first.get_by_role("link", name=re.compile("Consultation")).count() == 1
    hit.first.get_by_role("link", name=title).click()
    amina.locator("article.post", has_text=answer).wait_for()


def test_a_reader_without_javascript_quotes_and_searches_at_320px(site, new_page):
    base = site["base"]
    page = new_page(javascript=False, width=320)
    sign_in(page, base, "priya")
    page.goto(f"{base}/threads/1")
    first = page.locator("article.post").first
    first.get_by_role("link", name="Quote").click()
    assert page.get_by_label("Your reply").input_value().startswith("> [[post:")
    assert page.evaluate("document.documentElement.scrollWidth") <= 330
    page.goto(f"{base}/search?q=interpreting&author=nobody-at-all")
    page.get_by_text("No results: try removing a filter.").wait_for()
    page.get_by_role("link", name="Search again without the author").click()
    page.locator("ol.results li").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 330


def test_the_thread_page_at_200_percent_zoom_keeps_to_the_width(site, new_page):
    """200 % zoom of a 1280 px window is a 640 CSS px viewport at device scale 2."""
    base = site["base"]
    page = new_page(width=640)
    sign_in(page, base, "grace")
    page.goto(f"{base}/threads/1")
    page.locator("article.post .reactions").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    screenshot(page, "thread-640px")


@pytest.mark.parametrize("path,who", [
    ("/users/tomasz", "amina"), ("/search?q=interpreting", "amina"),
    ("/search?q=interpreting&author=nobody-at-all", "amina"), ("/", "samir"), ("/", "grace"),
    ("/threads/1", "grace"), ("/posts/1/flag", "amina"), ("/groups/health-strategy", "amina"),
])
def test_axe_finds_no_violations_on_the_participation_pages(site, new_page, path, who):
    from axe_playwright_python.sync_playwright import Axe

    base = site["base"]
    page = new_page()
    sign_in(page, base, who)
    page.goto(base + path)
    violations = Axe().run(page).response["violations"]
    assert violations == [], "\n".join(
        f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})" for v in violations)
