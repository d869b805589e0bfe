/* The jQuery page's own script, shared by the 1.12, 2.2 and 3.x pages:
 * each link exists only when one feature answered as in a browser. */
(function ($) {
  'use strict';
  var nav = $('#nav');
  var add = function (href) { nav.append($('<a>').attr('href', href).text(href)); };
  var order = [];
  document.addEventListener('readystatechange', function () { order.push(document.readyState); });
  $(function () {
    order.push('ready');
    add('/ready-' + $.fn.jquery.split('.')[0] + '.html');
    /* show / hide / :visible through getComputedStyle and client rects */
    var box = $('#box');
    box.hide();
    add(box.is(':visible') ? '/wrong-hidden-visible.html' : '/hide-ok.html');
    box.show();
    add(box.is(':visible') && box.css('display') === 'block' ? '/show-ok.html' : '/wrong-show.html');
    /* classes: addClass / toggleClass / hasClass over classList or className */
    box.addClass('a b').toggleClass('a').removeClass('x');
    add(box.hasClass('b') && !box.hasClass('a') ? '/class-ok.html' : '/wrong-class.html');
    /* a delegated handler, fired by .trigger() on a later element */
    $(document).on('click', '.adder', function (e) {
      add('/delegated-' + $(e.target).data('n') + '.html');
    });
    nav.append('<span class="adder" data-n="7">x</span>');
    $('.adder').trigger('click');
    /* parseHTML (document.implementation.createHTMLDocument) */
    var parsed = $.parseHTML('<a href="/parsed.html">p</a><script>window.badRan = 1;</script>');
    nav.append(parsed);
    add(window.badRan ? '/wrong-parsed-script-ran.html' : '/parsed-clean.html');
    /* getJSON, then $.post whose reply names a link */
    $.getJSON('/links.json', function (d) {
      $.each(d.links, function (i, l) { add(l.href); });
      $.getScript('/getscript.js');
      $.post('/echo', { name: 'posted', n: 2 }, function (r) { add(r.href); }, 'json');
    });
  });
  $(window).on('load', function () {
    order.push('load');
    add('/order-' + order.join('-') + '.html');
  });
})(jQuery);
