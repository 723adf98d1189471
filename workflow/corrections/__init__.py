"""Corrections of what users typed wrong: logged with what was there before, never erased."""
