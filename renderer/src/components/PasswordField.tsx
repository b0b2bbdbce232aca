import { useState, type InputHTMLAttributes, type KeyboardEvent, type Ref } from 'react';
import type { FieldProblem } from '../lib/api-errors';

interface PasswordFieldProps extends Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'type' | 'aria-describedby' | 'aria-invalid'
> {
  id: string;
  label: string;
  hint?: string | undefined;
  problem?: FieldProblem | undefined;
  inputRef?: Ref<HTMLInputElement> | undefined;
}

/**
 * A password input with a Show/Hide toggle and a Caps Lock warning (read from the key events'
 * modifier state while the field has focus). The hint, the warning and the error are tied to
 * the input by aria-describedby.
 */
export function PasswordField({ id, label, hint, problem, inputRef, onKeyDown, onKeyUp, onBlur, ...input }: PasswordFieldProps) {
  const [shown, setShown] = useState(false);
  const [capsLock, setCapsLock] = useState(false);
  const hintId = hint ? `${id}-hint` : undefined;
  const capsId = capsLock ? `${id}-caps` : undefined;
  const errorId = problem?.text ? `${id}-error` : problem?.describedBy;
  const describedBy = [hintId, capsId, errorId].filter(Boolean).join(' ') || undefined;

  const readCapsLock = (event: KeyboardEvent<HTMLInputElement>) => setCapsLock(event.getModifierState('CapsLock'));

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="password-input">
        <input
          id={id}
          ref={inputRef}
          type={shown ? 'text' : 'password'}
          aria-describedby={describedBy}
          aria-invalid={problem ? true : undefined}
          autoCapitalize="none"
          spellCheck={false}
          onKeyDown={(event) => {
            readCapsLock(event);
            onKeyDown?.(event);
          }}
          onKeyUp={(event) => {
            readCapsLock(event);
            onKeyUp?.(event);
          }}
          onBlur={(event) => {
            setCapsLock(false);
            onBlur?.(event);
          }}
          {...input}
        />
        <button
          type="button"
          className="password-toggle"
          aria-label={shown ? `Hide ${label.toLowerCase()}` : `Show ${label.toLowerCase()}`}
          aria-pressed={shown}
          aria-controls={id}
          disabled={input.disabled}
          onClick={() => setShown((value) => !value)}
        >
          {shown ? 'Hide' : 'Show'}
        </button>
      </div>
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      {capsLock ? (
        <p id={capsId} className="field-warning">
          Caps Lock is on.
        </p>
      ) : null}
      {problem?.text ? (
        <p id={errorId} className="field-error">
          {problem.text}
        </p>
      ) : null}
    </div>
  );
}
