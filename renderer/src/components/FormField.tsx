import type { InputHTMLAttributes, Ref } from 'react';
import type { FieldProblem } from '../lib/api-errors';

interface FormFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'aria-describedby' | 'aria-invalid'> {
  id: string;
  label: string;
  hint?: string | undefined;
  /** The field's error: its own text, or the id of the alert that already says it. */
  problem?: FieldProblem | undefined;
  inputRef?: Ref<HTMLInputElement> | undefined;
}

/** A labelled input with an optional hint and error, both tied to it by aria-describedby. */
export function FormField({ id, label, hint, problem, inputRef, className, ...input }: FormFieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = problem?.text ? `${id}-error` : problem?.describedBy;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      <input id={id} ref={inputRef} aria-describedby={describedBy} aria-invalid={problem ? true : undefined} {...input} />
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
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
