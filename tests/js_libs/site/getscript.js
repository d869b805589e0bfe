/* Loaded by $.getScript: runs in the page and adds a link. */
jQuery('#nav').append('<a href="/from-getscript.html">script</a>');
