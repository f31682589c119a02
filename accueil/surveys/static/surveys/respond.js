/* The survey pages work without this file. It adds two things:
   - "Read aloud": the question and its answers, spoken in the page's language, where the
     browser can speak (the button stays hidden otherwise);
   - after an error, focus on the first answer, so a screen reader reads the question, the
     message and the answer together. */
(function () {
  "use strict";

  var error = document.querySelector("[data-error]");
  if (error) {
    var field = error.closest(".question").querySelector("input, textarea");
    if (field) { field.focus(); }
  }

  var button = document.querySelector("[data-read-aloud]");
  if (!button || !("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
    return;
  }
  var synth = window.speechSynthesis;
  var pageLanguage = document.documentElement.lang;

  function base(code) { return (code || "").toLowerCase().split(/[-_]/)[0]; }

  // A voice for the language, when the device lists one; otherwise the browser picks.
  function voiceFor(code) {
    var voices = synth.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (base(voices[i].lang) === base(code)) { return voices[i]; }
    }
    return null;
  }

  function speak() {
    if (synth.speaking || synth.pending) {  // a second press stops the reading
      synth.cancel();
      return;
    }
    var parts = document.querySelectorAll("[data-read]");
    for (var i = 0; i < parts.length; i++) {
      var words = parts[i].textContent.trim();
      if (!words) { continue; }
      // Wording missing in the page's language is shown (and marked) in English.
      var lang = parts[i].getAttribute("lang") || pageLanguage;
      var utterance = new SpeechSynthesisUtterance(words);
      utterance.lang = lang;
      var voice = voiceFor(lang);
      if (voice) { utterance.voice = voice; }
      synth.speak(utterance);
    }
  }

  button.hidden = false;
  button.addEventListener("click", speak);
  window.addEventListener("pagehide", function () { synth.cancel(); });
})();
