"""Remote images in posts render as links: reading a post tells no third party who read it."""

from __future__ import annotations

from forum.markup import render_markdown


def test_a_remote_image_becomes_a_link_named_by_its_alt_text():
    html = render_markdown("![the chart](https://tracker.example/pixel.png \"Q3\")")
    assert "<img" not in html
    assert html == ('<p><a href="https://tracker.example/pixel.png" title="Q3" '
                    'rel="nofollow ugc noopener">the chart</a></p>\n')


def test_without_alt_text_the_link_shows_the_address():
    html = render_markdown("![](http://tracker.example/p.gif)")
    assert ">http://tracker.example/p.gif</a>" in html and "<img" not in html


def test_protocol_relative_images_are_remote_and_a_backslash_stays_on_the_forum():
    html = render_markdown("![a](//tracker.example/p.png)")
    assert "<img" not in html and 'href="//tracker.example/p.png"' in html
    # Browsers read "/\\host" as "//host"; markdown-it encodes the backslash: a local path.
    assert 'src="/%5Ctracker.example/p.png"' in render_markdown("![a](/\\tracker.example/p.png)")


def test_an_image_inside_a_link_leaves_its_words_in_that_link():
    html = render_markdown("[![logo](https://x.example/l.png)](https://y.example/)")
    assert html == ('<p><a href="https://y.example/" rel="nofollow ugc noopener">logo</a></p>\n')


def test_images_on_the_forum_itself_still_show():
    assert render_markdown("![map](/static/img/map.png)") == (
        '<p><img src="/static/img/map.png" alt="map"></p>\n')


def test_data_and_script_urls_never_load():
    for body in ("![x](data:image/png;base64,AAAA)", "![x](javascript:alert(1))"):
        html = render_markdown(body)
        assert "<img" not in html and 'href="data:' not in html
        assert 'href="javascript:' not in html
