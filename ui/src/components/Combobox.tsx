//! Pick a record by typing: a text input with a listbox of matches from a server-side
//! search. Arrow keys move, Enter picks (the highlighted match, else the first; if the
//! results for what was typed are not in yet, Enter waits for them), Escape closes.
//! With `onCreate`, the list ends with "Create “what was typed”…" (the only entry when
//! nothing matches), so an unknown name or code is created from where it was typed.
//! With `pageSize`, at most that many matches are shown, then "More…" when there are
//! more: choosing it shows the next ones, the highlight on the first of them.

import { useQuery } from "@tanstack/react-query";
import { useId, useRef, useState, type KeyboardEvent, type ReactNode, type Ref } from "react";
import { useDebounced } from "../lib/hooks";

export interface ComboboxProps<T> {
  /** Cache key prefix for the search results. */
  queryKey: string;
  /** The matches for `text`; with `pageSize`, at most `limit` of them. */
  search: (text: string, limit: number) => Promise<T[]>;
  /** Show this many matches at first and this many more with each "More…". */
  pageSize?: number;
  moreTestId?: string;
  text: string;
  onTextChange: (text: string) => void;
  onSelect: (item: T) => void;
  itemKey: (item: T) => string;
  renderItem: (item: T) => ReactNode;
  placeholder?: string;
  id?: string;
  name?: string;
  inputRef?: Ref<HTMLInputElement>;
  testId?: string;
  optionTestId?: string;
  disabled?: boolean;
  invalid?: boolean;
  describedBy?: string | undefined;
  autoFocus?: boolean;
  /** Enter was pressed before the matches for the typed text arrived: the pick follows
   *  once they do. Lets the caller move focus on at once, so typing ahead is not lost. */
  onResolving?: () => void;
  /** Enter found no match for the typed text. */
  onNoMatch?: (text: string) => void;
  /** Offer "Create …" for what was typed; called with the typed text when chosen. */
  onCreate?: (text: string) => void;
  /** The create entry's words for the typed text (default: Create “text”…). */
  createLabel?: (text: string) => string;
  createTestId?: string;
  /** Called for keys the combobox does not handle itself. */
  onKeyDown?: (e: KeyboardEvent<HTMLInputElement>) => void;
  /** Search even when nothing is typed (shows the first entries). */
  searchEmpty?: boolean;
  className?: string;
  ariaLabel?: string;
}

export function Combobox<T>(props: ComboboxProps<T>) {
  const { queryKey, search, text, onTextChange, onSelect, itemKey, renderItem } = props;
  const listId = useId();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [waiting, setWaiting] = useState(false);
  // Closing on blur waits a moment (a click on the list lands first); coming back to
  // the field, or typing in it, within that moment must not be closed by it.
  const closing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const keepOpen = () => {
    if (closing.current !== undefined) clearTimeout(closing.current);
    closing.current = undefined;
  };
  const debounced = useDebounced(text.trim(), 120);
  const enabled = open && (props.searchEmpty === true || debounced !== "");
  const page = props.pageSize;
  // How many matches are shown (grows with "More…"; back to one page when the text changes).
  const [shown, setShown] = useState(page ?? 0);
  const results = useQuery({
    queryKey: ["combobox", queryKey, debounced, shown],
    // One more than shown: whether "More…" is needed.
    queryFn: () => search(debounced, page === undefined ? 0 : shown + 1),
    enabled,
    placeholderData: (prev) => prev,
  });
  const all = enabled ? (results.data ?? []) : [];
  const items = page === undefined ? all : all.slice(0, shown);
  const more = page !== undefined && all.length > shown;
  const typedNow = text.trim();
  // The create entry follows the matches once they are in for what is typed.
  const offerCreate =
    props.onCreate !== undefined && open && typedNow !== "" && debounced === typedNow && results.data !== undefined && !results.isFetching;
  const moreAt = more ? items.length : -1;
  const createAt = offerCreate ? items.length + (more ? 1 : 0) : -1;
  const count = items.length + (more ? 1 : 0) + (offerCreate ? 1 : 0);
  const showMore = () => {
    // The highlight stays where "More…" was: on the first of the next matches.
    setShown((n) => n + (page ?? 0));
  };
  const create = () => {
    setOpen(false);
    setActive(0);
    props.onCreate?.(typedNow);
  };

  const pick = (item: T) => {
    setOpen(false);
    setActive(0);
    onSelect(item);
  };

  const onKeyDown = async (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, Math.max(count - 1, 0)));
      return;
    }
    if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
      return;
    }
    if (e.key === "Escape" && open) {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      return;
    }
    if (e.key === "Enter" && text.trim() !== "") {
      e.preventDefault();
      const fresh = debounced === text.trim() && !results.isFetching && results.data !== undefined;
      if (fresh && open && active === moreAt) {
        showMore();
        return;
      }
      if (fresh && open && active === createAt) {
        create();
        return;
      }
      if (fresh && open && items.length > 0) {
        const chosen = items[Math.min(active, items.length - 1)];
        if (chosen !== undefined) pick(chosen);
        return;
      }
      // Typed faster than the debounce: search for exactly what is typed, then pick.
      setWaiting(true);
      const typed = text.trim();
      props.onResolving?.();
      try {
        const found = await search(typed, page ?? 0);
        const first = found[0];
        if (first !== undefined) pick(first);
        else if (props.onCreate) {
          setOpen(false);
          props.onCreate(typed);
        } else if (props.onNoMatch) props.onNoMatch(typed);
        else setOpen(true);
      } finally {
        setWaiting(false);
      }
      return;
    }
    props.onKeyDown?.(e);
  };

  const activeItem = items[active];
  return (
    <div className={`combobox ${props.className ?? ""}`}>
      <input
        ref={props.inputRef}
        id={props.id}
        name={props.name}
        type="text"
        role="combobox"
        autoComplete="off"
        spellCheck={false}
        aria-label={props.ariaLabel}
        aria-expanded={open && count > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={
          open && activeItem !== undefined
            ? `${listId}-${itemKey(activeItem)}`
            : open && active === moreAt
              ? `${listId}-more`
              : open && active === createAt
                ? `${listId}-create`
                : undefined
        }
        aria-invalid={props.invalid || undefined}
        aria-describedby={props.describedBy}
        aria-busy={waiting || undefined}
        data-testid={props.testId}
        placeholder={props.placeholder}
        disabled={props.disabled}
        autoFocus={props.autoFocus}
        value={text}
        onChange={(e) => {
          keepOpen();
          onTextChange(e.target.value);
          setOpen(true);
          setActive(0);
          if (page !== undefined) setShown(page);
        }}
        onFocus={() => {
          keepOpen();
          if (props.searchEmpty) setOpen(true);
        }}
        onBlur={() => {
          closing.current = setTimeout(() => setOpen(false), 150);
        }}
        onKeyDown={(e) => void onKeyDown(e)}
      />
      {open && count > 0 && (
        <ul className="combobox-list" role="listbox" id={listId}>
          {items.map((item, i) => (
            <li
              key={itemKey(item)}
              id={`${listId}-${itemKey(item)}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? "active" : ""}
              data-testid={props.optionTestId}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(item);
              }}
              onMouseEnter={() => setActive(i)}
            >
              {renderItem(item)}
            </li>
          ))}
          {more && (
            <li
              id={`${listId}-more`}
              role="option"
              aria-selected={active === moreAt}
              className={`combobox-more muted ${active === moreAt ? "active" : ""}`}
              data-testid={props.moreTestId}
              onMouseDown={(e) => {
                e.preventDefault();
                setActive(moreAt);
                showMore();
              }}
              onMouseEnter={() => setActive(moreAt)}
            >
              More…
            </li>
          )}
          {offerCreate && (
            <li
              id={`${listId}-create`}
              role="option"
              aria-selected={active === createAt}
              className={`combobox-create ${active === createAt ? "active" : ""}`}
              data-testid={props.createTestId}
              onMouseDown={(e) => {
                e.preventDefault();
                create();
              }}
              onMouseEnter={() => setActive(createAt)}
            >
              {props.createLabel ? props.createLabel(typedNow) : `Create “${typedNow}”…`}
            </li>
          )}
        </ul>
      )}
      {open && enabled && results.data !== undefined && count === 0 && !results.isFetching && (
        <div className="combobox-list combobox-none">No matches</div>
      )}
    </div>
  );
}
