/* Progressive enhancement: local times, live updates over Socket.IO, typing, click-to-cite.
   Every page works without this file. No inline scripts (the CSP forbids them). */
(function () {
  "use strict";

  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (!isNaN(d)) {
        el.textContent = d.toLocaleString(document.documentElement.lang || undefined, {
          day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit"
        });
        el.title = el.getAttribute("datetime");
      }
    });
  }

  // Words in the reader's language, from the catalogue (/ui-strings.json, fetched once by pages
  // that speak live); until they arrive, or without fetch, the English source is said.
  var strings = {};
  function loadStrings() {
    if (!window.fetch) { return; }
    fetch("/ui-strings.json", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (s) { strings = s || {}; })
      .catch(function () {});
  }
  function t(key, fallback, values) {
    var text = strings[key] || fallback;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(values[name]);
    });
    return text;
  }

  var announcer = null;
  function announce(text) {
    if (!announcer) { announcer = document.getElementById("live-announcer"); }
    if (announcer) { announcer.textContent = ""; setTimeout(function () { announcer.textContent = text; }, 50); }
  }

  function postArticle(post) {
    var article = document.createElement("article");
    article.className = "post new" + (post.pending ? " pending" : "") + (post.hidden ? " hidden" : "");
    article.id = "post-" + post.id;
    article.dataset.postId = post.id;
    var header = document.createElement("header");
    var by = document.createElement("h2");
    by.className = "by";
    by.textContent = post.author.display_name;
    var link = document.createElement("a");
    link.className = "when";
    link.href = "/posts/" + post.id;
    var time = document.createElement("time");
    time.setAttribute("datetime", post.created_at);
    time.textContent = post.created_at;
    link.appendChild(time);
    header.appendChild(by);
    header.appendChild(link);
    if (post.pending) {
      var tag = document.createElement("span");
      tag.className = "tag warn";
      tag.textContent = t("awaiting", "Awaiting approval");
      header.appendChild(tag);
    }
    article.appendChild(header);
    var body = document.createElement("div");
    body.className = "body";
    if (post.body_html === null) {
      body.textContent = t("hidden", "This post was hidden by a moderator.");
    } else {
      body.innerHTML = post.body_html; // sanitised by the server's allowlist before it was stored
    }
    article.appendChild(body);
    if (!post.pending && !post.hidden) { appendActions(article, post); }
    localTimes(article);
    return article;
  }

  // The server renders this viewer's controls once for a stand-in post by someone else and once
  // for one of their own, each in a <template>: a post arriving live gets a copy of the one that
  // fits, with its own id. The script decides nothing: the page never offers more than the
  // server would allow.
  function appendActions(article, post) {
    var own = post.author && post.author.username === document.body.dataset.username;
    var template = document.getElementById(own ? "own-post-actions-template" : "post-actions-template");
    if (!template) { return; }
    var html = template.innerHTML.split(template.dataset.postId).join(String(post.id));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var footer = holder.querySelector("footer");
    if (footer) { article.appendChild(footer); }
  }

  function threadPage(socket, threadId) {
    var posts = document.getElementById("posts");
    socket.on("post.created", function (post) {
      if (post.thread_id !== threadId || document.getElementById("post-" + post.id)) { return; }
      posts.appendChild(postArticle(post));
      announce(t("new_post", "New post from {name}", {name: post.author.display_name}));
    });
    socket.on("post.updated", function (post) {
      var old = document.getElementById("post-" + post.id);
      if (!old) { return; }
      var body = old.querySelector(".body");
      if (body && post.body_html !== null) { body.innerHTML = post.body_html; }
    });
    socket.on("post.hidden", function (event) {
      var el = document.getElementById("post-" + event.post_id);
      if (!el) { return; }
      el.classList.add("hidden");
      if (!document.body.dataset.moderator) {
        var body = el.querySelector(".body");
        if (body) { body.textContent = t("hidden", "This post was hidden by a moderator."); }
      }
      announce("A post was hidden by a moderator");
    });
    socket.on("post.unhidden", function (event) {
      var el = document.getElementById("post-" + event.post_id);
      if (el) { el.classList.remove("hidden"); }
    });
    socket.on("post.reacted", function (event) {
      var el = document.getElementById("post-" + event.post_id);
      if (!el) { return; }
      Object.keys(event.reactions).forEach(function (kind) {
        el.querySelectorAll("[data-kind='" + kind + "'] .count").forEach(function (count) {
          count.textContent = event.reactions[kind] || "";  // no zeros on show
        });
      });
    });
    var presence = document.getElementById("presence");
    socket.on("presence", function (event) {
      if (!presence || event.room !== "thread:" + threadId) { return; }
      var n = event.users.length;
      presence.textContent = n ? " · " + t("reading", "Reading now: {names}", {names: (event.names || event.users).join(", ")}) : "";
    });
    var typing = document.getElementById("typing");
    var typingTimer = null;
    socket.on("typing", function (event) {
      if (!typing || event.thread_id !== threadId) { return; }
      typing.textContent = t("typing", "{name} is typing…", {name: event.username});
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { typing.textContent = ""; }, 4000);
    });
    var box = document.querySelector("#reply textarea");
    var lastTyping = 0;
    if (box) {
      box.addEventListener("input", function () {
        var now = Date.now();
        if (now - lastTyping > 3000) {
          lastTyping = now;
          socket.emit("typing", { thread_id: threadId });
        }
      });
    }
  }

  function topicPage(socket) {
    var banner = document.getElementById("summary-banner");
    socket.on("summary.published", function () {
      if (!banner) { return; }
      banner.textContent = t("summary", "A new summary was published. Reload the page to read it.");
      banner.hidden = false;
      announce(banner.textContent);
    });
    socket.on("thread.created", function (thread) {
      announce(t("new_thread", "New thread: {title}", {title: thread.title}));
    });
  }

  function signoffPage(socket) {
    var root = document.getElementById("signoff");
    socket.on("topic.updated", function (topic) {
      var phase = document.getElementById("topic-phase");
      var phaseLabel = (t("phases", {})[topic.phase]) || topic.phase;
      if (phase) { phase.textContent = phaseLabel; }
      announce(t("phase", "This topic is now in the phase: {phase}.", {phase: phaseLabel}));
    });
    if (!root) { return; }
    socket.on("signoff.updated", function (state) {
      state.paragraphs.forEach(function (p) {
        var item = root.querySelector("[data-paragraph='" + p.number + "']");
        if (!item) { return; }
        ["endorse", "object", "abstain"].forEach(function (stance) {
          var count = item.querySelector(".count-" + stance);
          if (count) { count.textContent = String(p[stance]); }
        });
      });
      var waiting = document.getElementById("signoff-waiting");
      if (waiting) { waiting.textContent = String(state.waiting); }
      var organisations = document.getElementById("signoff-organisations");
      if (organisations) { organisations.textContent = String(state.organisations); }
      if (state.status === "closed") {
        var status = document.getElementById("signoff-status");
        if (status) { status.textContent = t("closed", "closed"); }
      }
      announce(t("tallies", "Sign-off tallies updated."));
    });
  }

  function notifications(socket) {
    var badge = document.getElementById("notification-count");
    if (!badge) { return; }
    socket.on("notification", function (n) {
      var count = parseInt(badge.textContent || "0", 10) || 0;
      badge.textContent = String(count + 1);
      announce(t("notification", "New notification: {text}", {text: n.text}));
    });
  }

  function clickToCite() {
    var box = document.querySelector("#summary-form textarea");
    if (!box) { return; }
    // Delegated: the list of posts to cite is replaced when the filters change.
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button.cite") : null;
      if (!button) { return; }
      event.preventDefault();  // without the script the button posts the draft and cites
      var ref = "[[post:" + button.dataset.cite + "]]";
      var at = box.selectionStart || box.value.length;
      box.value = box.value.slice(0, at) + ref + box.value.slice(at);
      box.focus();
      box.selectionStart = box.selectionEnd = at + ref.length;
      announce(t("cited", "Cited post {id}", {id: button.dataset.cite}));
    });
    citableFilters();
  }

  // Finding posts to cite fetches the list again rather than the page: the unsaved draft stays.
  function citableFilters() {
    if (!window.fetch || !window.DOMParser || !window.URLSearchParams) { return; }
    function load(url, focusName) {
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("citable");
          var section = document.getElementById("citable");
          if (!fresh || !section) { throw new Error("no list"); }
          section.replaceWith(document.importNode(fresh, true));
          var action = doc.querySelector("#summary-form");
          var form = document.getElementById("summary-form");
          if (action && form) { form.setAttribute("action", action.getAttribute("action")); }
          if (window.history && history.replaceState) { history.replaceState(null, "", url + "#citable"); }
          var focus = document.querySelector("#citable [name='" + focusName + "']") ||
                      document.querySelector("#citable form.filters button");
          if (focus) { focus.focus(); }
          announce(t("citable", "The list of posts to cite is updated: {n} found.",
                     {n: document.querySelectorAll("#citable ul.citable li").length}));
        })
        .catch(function () { window.location.assign(url + "#citable"); });
    }
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches || !form.matches("#citable form.filters")) { return; }
      event.preventDefault();
      var query = new URLSearchParams();
      new FormData(form).forEach(function (value, name) { if (String(value).trim()) { query.append(name, value); } });
      var text = query.toString();
      load(window.location.pathname + (text ? "?" + text : ""), "q");
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("#citable form.filters a") : null;
      if (!link) { return; }
      event.preventDefault();
      load(link.getAttribute("href").split("#")[0], "q");
    });
  }

  function readerZone() {  // dates typed in forms are in the reader's zone
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) {}
    document.querySelectorAll("input[type=hidden][name=tz]").forEach(function (el) {
      if (!el.value) { el.value = zone; }
    });
  }

  // --- The composer: drafts kept on the server as one types, preview in place, @ names, quotes.
  function csrfOf(form) {
    var input = form.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function api(form, method, url, body) {
    var headers = { "X-CSRFToken": csrfOf(form), "Accept": "application/json" };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(url, { method: method, headers: headers, credentials: "same-origin",
                        body: body === undefined ? undefined : JSON.stringify(body) });
  }

  function drafts(form) {
    var url = form.dataset.draftUrl;
    var box = form.querySelector("textarea[name=body]");
    var title = form.querySelector("input[name=title]");
    var status = form.querySelector(".draft-status");
    if (!url || !box) { return; }
    var timer = null, saving = false, dirty = false, restoring = true;
    function say(text) { if (status) { status.textContent = text; } }
    function payload() {
      var data = { body: box.value };
      if (title) { data.title = title.value; }
      return data;
    }
    function save() {
      clearTimeout(timer);
      if (restoring || saving || !dirty) { return; }
      if (!box.value.trim() && !(title && title.value.trim())) { return; }  // nothing worth keeping
      saving = true;
      dirty = false;
      api(form, "PUT", url, payload()).then(function (response) {
        saving = false;
        if (!response.ok) { throw new Error(String(response.status)); }
        say(form.dataset.saved);
        if (dirty) { schedule(); }
      }).catch(function () {
        saving = false;
        dirty = true;  // try again: soon, and as soon as the browser is back online
        say(form.dataset.unsaved);
        timer = setTimeout(save, 5000);
      });
    }
    function schedule() { dirty = true; clearTimeout(timer); timer = setTimeout(save, 800); }
    box.addEventListener("input", schedule);
    if (title) { title.addEventListener("input", schedule); }
    window.addEventListener("online", save);
    form.addEventListener("submit", function () { clearTimeout(timer); restoring = true; });
    // Restore once, on load, only into an empty composer (a quote or a failed post's words win);
    // live updates never touch the composer.
    api(form, "GET", url).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (draft) {
      restoring = false;
      if (!draft) { return; }
      var restored = false;
      if (!box.value.trim() && draft.body) { box.value = draft.body; restored = true; }
      if (title && !title.value.trim() && draft.title) { title.value = draft.title; restored = true; }
      if (restored) { say(form.dataset.restored); announce(form.dataset.restored); }
    }).catch(function () { restoring = false; });
  }

  function preview(form) {
    var button = form.querySelector("button[name=preview]");
    var box = form.querySelector("textarea[name=body]");
    var holder = form.parentNode.querySelector(".preview");
    if (!button || !box || !holder || !form.dataset.previewUrl) { return; }
    button.addEventListener("click", function (event) {
      event.preventDefault();  // without the script the button posts the form and shows the preview
      api(form, "POST", form.dataset.previewUrl, { body: box.value }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (data) {
        holder.querySelector(".body").innerHTML = data.html;  // the server's sanitised markup
        holder.hidden = false;
        localTimes(holder);
      }).catch(function () { form.requestSubmit ? form.requestSubmit(button) : form.submit(); });
    });
  }

  // @ autocomplete: the group's members whose name starts with what follows the @.
  function mentions(form) {
    var box = form.querySelector("textarea[name=body]");
    if (!box || !form.dataset.peopleUrl) { return; }
    var list = document.createElement("ul");
    list.id = (box.id || "body") + "-people";
    list.className = "mentions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", form.dataset.suggestions);
    list.hidden = true;
    box.parentNode.insertBefore(list, box.nextSibling);
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", list.id);
    box.setAttribute("aria-haspopup", "listbox");
    var items = [], active = -1, timer = null, asked = "";
    function word() {
      var before = box.value.slice(0, box.selectionStart);
      var match = /(^|\s)@([\w.\-]{1,30})$/.exec(before);
      return match ? { prefix: match[2], at: before.length - match[2].length } : null;
    }
    function close() {
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      box.removeAttribute("aria-activedescendant");
      list.setAttribute("aria-expanded", "false");
    }
    function highlight(index) {
      active = index;
      items.forEach(function (item, i) { item.el.setAttribute("aria-selected", i === index ? "true" : "false"); });
      if (index >= 0) { box.setAttribute("aria-activedescendant", items[index].el.id); }
      else { box.removeAttribute("aria-activedescendant"); }
    }
    function choose(index) {
      var found = word();
      if (!found || !items[index]) { close(); return; }
      var name = items[index].username;
      var after = box.value.slice(box.selectionStart);
      box.value = box.value.slice(0, found.at) + name + " " + after;
      box.selectionStart = box.selectionEnd = found.at + name.length + 1;
      close();
      box.focus();
      box.dispatchEvent(new Event("input"));  // the draft keeps it
    }
    function show(people) {
      close();
      people.forEach(function (person, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var name = document.createElement("bdi");
        name.textContent = person.display_name;
        var handle = document.createElement("span");
        handle.className = "meta";
        handle.textContent = " @" + person.username;
        li.appendChild(name);
        li.appendChild(handle);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
        items.push({ el: li, username: person.username });
      });
      if (items.length) {
        list.hidden = false;
        list.setAttribute("aria-expanded", "true");
        highlight(0);
        announce(form.dataset.suggestions);
      }
    }
    box.addEventListener("input", function () {
      var found = word();
      clearTimeout(timer);
      if (!found) { close(); return; }
      timer = setTimeout(function () {
        asked = found.prefix;
        fetch(form.dataset.peopleUrl + "&prefix=" + encodeURIComponent(found.prefix),
              { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { items: [] }; })
          .then(function (data) {
            var now = word();
            if (now && now.prefix === asked) { show(data.items || []); }
          }).catch(close);
      }, 150);
    });
    box.addEventListener("keydown", function (event) {
      if (list.hidden || !items.length) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % items.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + items.length) % items.length); }
      else if (event.key === "Enter" || event.key === "Tab") { if (active >= 0) { event.preventDefault(); choose(active); } }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    box.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  // Quote: the words the reader selected inside that post, else the link's server-side quote.
  function quotes(form) {
    var box = form.querySelector("textarea[name=body]");
    if (!box) { return; }
    var held = {};
    function selectedIn(article) {
      var selection = window.getSelection();
      if (!selection || selection.isCollapsed || !selection.rangeCount) { return ""; }
      var body = article.querySelector(".body");
      var range = selection.getRangeAt(0);
      if (!body || !body.contains(range.commonAncestorContainer)) { return ""; }
      return selection.toString().trim();
    }
    var posts = document.getElementById("posts");
    if (!posts) { return; }
    // A mouse press may collapse the selection before the click: keep it from the press.
    posts.addEventListener("mousedown", function (event) {
      var link = event.target.closest && event.target.closest("a.quote");
      if (!link) { return; }
      var article = link.closest("article.post");
      held[link.dataset.postId] = article ? selectedIn(article) : "";
    });
    posts.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.quote");
      if (!link) { return; }
      var article = link.closest("article.post");
      var words = (article && selectedIn(article)) || held[link.dataset.postId] || "";
      held = {};
      if (!words) { return; }  // nothing selected: follow the link (the post's opening words)
      event.preventDefault();
      var by = article.querySelector(".by");
      var name = by ? by.textContent.trim() : "";
      var text = "> [[post:" + link.dataset.postId + "]] **" + name + "** wrote:\n" +  // as the server quotes
        words.split(/\r?\n/).map(function (line) { return "> " + line; }).join("\n") + "\n\n";
      var at = box.selectionStart === undefined ? box.value.length : box.selectionEnd;
      if (document.activeElement !== box) { at = box.value.length; }
      var lead = at > 0 && box.value.charAt(at - 1) !== "\n" ? "\n\n" : "";
      box.value = box.value.slice(0, at) + lead + text + box.value.slice(at);
      var replyTo = form.querySelector("input[name=reply_to]");
      if (replyTo && !replyTo.value) { replyTo.value = link.dataset.postId; }
      box.focus();
      box.selectionStart = box.selectionEnd = at + lead.length + text.length;
      box.dispatchEvent(new Event("input"));  // the draft keeps it
      announce(form.dataset.quoted);
    });
  }

  function composers() {
    document.querySelectorAll("form.composer").forEach(function (form) {
      drafts(form);
      preview(form);
      mentions(form);
      quotes(form);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    readerZone();
    clickToCite();
    composers();
    var room = document.body.dataset.liveRoom;
    var signedIn = !!document.getElementById("notification-count");
    if (room || signedIn) { loadStrings(); }
    if (typeof io === "undefined" || (!room && !signedIn)) { return; }
    var socket = io({ transports: ["websocket"] });
    socket.on("connect", function () {
      if (room) { socket.emit("subscribe", { room: room }, function () {}); }
    });
    if (document.body.dataset.threadId) { threadPage(socket, parseInt(document.body.dataset.threadId, 10)); }
    if (room && room.indexOf("topic:") === 0) { topicPage(socket); signoffPage(socket); }
    notifications(socket);
  });
})();
