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

  // Words come from the page (base.html renders them from the catalogue): the reader's language.
  var strings = null;
  function t(key, fallback, values) {
    if (strings === null) {
      var el = document.getElementById("ui-strings");
      try { strings = el ? JSON.parse(el.textContent) : {}; } catch (e) { strings = {}; }
    }
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
          count.textContent = event.reactions[kind];
        });
      });
    });
    var presence = document.getElementById("presence");
    socket.on("presence", function (event) {
      if (!presence || event.room !== "thread:" + threadId) { return; }
      var n = event.users.length;
      presence.textContent = n ? " · " + t("reading", "Reading now: {names}", {names: event.users.join(", ")}) : "";
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
    document.querySelectorAll("button.cite").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();  // without the script the button posts the draft and cites
        var ref = "[[post:" + button.dataset.cite + "]]";
        var at = box.selectionStart || box.value.length;
        box.value = box.value.slice(0, at) + ref + box.value.slice(at);
        box.focus();
        box.selectionStart = box.selectionEnd = at + ref.length;
        announce(t("cited", "Cited post {id}", {id: button.dataset.cite}));
      });
    });
  }

  function readerZone() {  // dates typed in forms are in the reader's zone
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) {}
    document.querySelectorAll("input[type=hidden][name=tz]").forEach(function (el) {
      if (!el.value) { el.value = zone; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    readerZone();
    clickToCite();
    var room = document.body.dataset.liveRoom;
    var signedIn = !!document.getElementById("notification-count");
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
