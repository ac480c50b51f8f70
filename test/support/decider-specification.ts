/**
 * Given/when/then for deciders, after event-driven-io/emmett's DeciderSpecification:
 *
 *   const given = DeciderSpecification.for({ decide, evolve, initialState, context });
 *   given([drafted]).when(publish, { actor: editor }).then([published]);
 *   given([]).when(publish).thenThrows(NotFoundError);
 *
 * The context factory runs once per `when`, so each scenario gets fresh ids and clock.
 */
export interface DeciderWithContext<Command, Event, State, Context> {
  decide: (command: Command, state: State, context: Context) => Event[];
  evolve: (state: State, event: Event) => State;
  initialState: State;
  context: () => Context;
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

export interface Then<Event> {
  then(expected: Event[]): void;
  thenNothingHappened(): void;
  thenThrows<E extends Error>(errorClass: ErrorClass<E>, check?: (error: E) => void): void;
}

export const DeciderSpecification = {
  for<Command, Event, State, Context>(decider: DeciderWithContext<Command, Event, State, Context>) {
    return (given: Event[]) => ({
      when(command: Command, overrides: Partial<Context> = {}): Then<Event> {
        const run = (): Event[] => {
          const state = given.reduce(decider.evolve, decider.initialState);
          return decider.decide(command, state, { ...decider.context(), ...overrides });
        };
        return {
          // Strict: events are stored as JSON, so an `undefined` property is a bug worth seeing.
          then: (expected) => expect(run()).toStrictEqual(expected),
          thenNothingHappened: () => expect(run()).toStrictEqual([]),
          thenThrows<E extends Error>(errorClass: ErrorClass<E>, check?: (error: E) => void) {
            let thrown: unknown;
            try {
              run();
            } catch (error) {
              thrown = error;
            }
            expect(thrown).toBeInstanceOf(errorClass);
            check?.(thrown as E);
          },
        };
      },
    });
  },
};
