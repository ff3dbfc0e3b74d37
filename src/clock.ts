/** The one clock type: milliseconds since the epoch, read when called (`Date.now` is one); passed in so a test can fix the time. */
export type Clock = () => number;
