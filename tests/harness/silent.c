/* silent.c - a fixture of tests/suites/harness.sh, not a test: a unit test
 * binary that exits 0 and prints nothing. tests/suites/unit.sh must count
 * it as a failure. */
int main(void) { return 0; }
