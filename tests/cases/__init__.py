"""Tests of townsquare.cases: cases, their workflow and SLA clock."""
