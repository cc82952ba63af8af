package report

// Interrupted is the result of a project whose operation a signal
// cancelled: its CLI finished the step in flight, saved the stack and
// released its lock. Running the same command again continues.
const Interrupted Result = "interrupted"

// ExitInterrupted is the exit code of a run that a signal interrupted.
const ExitInterrupted = 130
