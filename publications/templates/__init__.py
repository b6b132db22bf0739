"""Typst templates of the publications (a package so that installs carry the .typ files)."""
