"""Tests of townsquare.drafts: a resident's application drafts."""
