import { describe, expectTypeOf, it } from 'vitest';
import {
  type CodeResult,
  type ExecuteResult,
  isInputValidationError,
  isSkillNotFoundError,
  type MCPCodeExecutionFramework,
  type SkillTask,
  type TaskOutcome,
} from '../src/index.js';

declare const fw: MCPCodeExecutionFramework;

describe('public types', () => {
  it('types results by the value the caller expects', () => {
    expectTypeOf(fw.execute<{ greeting: string }>('hello')).resolves.toEqualTypeOf<
      ExecuteResult<{ greeting: string }>
    >();
    expectTypeOf(fw.execute('hello')).resolves.toHaveProperty('value').toBeUnknown();
    expectTypeOf(fw.executeCode<number>('result = 1')).resolves.toEqualTypeOf<CodeResult<number>>();
    expectTypeOf<CodeResult>().not.toHaveProperty('skill');
  });

  it('keeps the caller task type in outcomes', () => {
    interface Tagged extends SkillTask {
      readonly tag: string;
    }
    const tasks: Tagged[] = [{ skill: 'hello', tag: 'a' }];
    expectTypeOf(fw.executeParallel(tasks)).resolves.toEqualTypeOf<TaskOutcome<Tagged>[]>();
    expectTypeOf(fw.executeStream(tasks)).toEqualTypeOf<
      AsyncGenerator<TaskOutcome<Tagged>, void, undefined>
    >();
    const outcome = {} as TaskOutcome<Tagged>;
    if (outcome.status === 'fulfilled') expectTypeOf(outcome.value).toEqualTypeOf<ExecuteResult>();
    else expectTypeOf(outcome.reason).toBeUnknown();
    expectTypeOf(outcome.task.tag).toBeString();
  });

  it('narrows errors with the guards', () => {
    const error: unknown = undefined;
    if (isInputValidationError(error)) expectTypeOf(error.path).toBeString();
    if (isSkillNotFoundError(error)) expectTypeOf(error.suggestions).toEqualTypeOf<readonly string[]>();
  });

  it('types event payloads', () => {
    fw.on('taskCompleted', (event) => expectTypeOf(event.result).toEqualTypeOf<ExecuteResult>());
    fw.on('circuitOpen', (event) => expectTypeOf(event.skill).toBeString());
    // @ts-expect-error: not an event of the framework
    fw.on('taskDone', () => undefined);
  });
});
