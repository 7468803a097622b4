//! Matching (issue 3)
