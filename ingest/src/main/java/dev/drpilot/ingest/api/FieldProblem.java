package dev.drpilot.ingest.api;

/**
 * One thing wrong with a request: which observation of a batch ({@code index}, null for a single
 * object), which field, and what is wrong.
 */
record FieldProblem(Integer index, String field, String message) {
}
