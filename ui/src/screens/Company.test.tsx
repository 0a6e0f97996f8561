import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeBackend } from "../test/fakeBackend";
import { renderWithClient } from "../test/render";
import type { Command, Company, ErrorBody, Logo } from "../types";
import { COMPANY_ID, CompanyScreen, printedLines, valuesOf } from "./Company";

const ACME: Company = {
  name: "Daybook Trading BV",
  address: { label: "", street: "Keizersgracht 1", postal_code: "1015 CJ", city: "Amsterdam", country: "NL" },
  vat_number: "NL123456789B01",
  bank_account: "NL91ABNA0417164300",
  email: null,
  phone: null,
  logo: null,
};

const LOGO: Logo = {
  format: "png",
  width: 240,
  height: 80,
  bytes: 12_345,
  data: "iVBORw0KGgo=",
};

describe("company settings", () => {
  let be: FakeBackend;
  beforeEach(() => {
    be = new FakeBackend().install();
  });

  it("prints what documents show, in their order", () => {
    expect(printedLines(valuesOf(ACME))).toEqual([
      "Daybook Trading BV", "Keizersgracht 1", "1015 CJ Amsterdam", "NL", "VAT NL123456789B01", "IBAN NL91ABNA0417164300",
    ]);
    expect(printedLines(valuesOf(null))).toEqual([]);
  });

  it("shows the current details and saves changes with empty fields as none", async () => {
    const user = userEvent.setup();
    // The back end answers what was last saved, as the real one does after the refetch.
    be.extra.get_company = () => {
      const last = be.commands.at(-1);
      if (last?.type !== "SetCompanyDetails") return ACME;
      const { name, address, vat_number, bank_account, email, phone } = last;
      return { name, address, vat_number, bank_account, email, phone, logo: null };
    };
    renderWithClient(<CompanyScreen />);
    const name = await screen.findByTestId("company-name");
    expect(name).toHaveValue("Daybook Trading BV");
    expect(screen.getByTestId("company-preview")).toHaveTextContent("IBAN NL91ABNA0417164300");
    await user.clear(screen.getByTestId("company-vat_number"));
    await user.type(screen.getByTestId("company-phone"), " +31 20 555 0100 ");
    expect(screen.getByTestId("company-preview")).not.toHaveTextContent("VAT NL");
    await user.click(screen.getByTestId("company-save"));
    expect(await screen.findByTestId("company-saved")).toBeInTheDocument();
    // Still there once the details were read again.
    await waitFor(() => expect(be.callsTo("get_company").length).toBeGreaterThan(1));
    expect(screen.getByTestId("company-saved")).toBeInTheDocument();
    expect(screen.getByTestId("company-phone")).toHaveValue(" +31 20 555 0100 ");
    const sent: Command[] = be.commands;
    expect(sent).toEqual([
      {
        type: "SetCompanyDetails",
        company_id: COMPANY_ID,
        name: "Daybook Trading BV",
        address: ACME.address,
        vat_number: null,
        bank_account: "NL91ABNA0417164300",
        email: null,
        phone: "+31 20 555 0100",
      },
    ]);
  });

  it("says what is missing next to the field before sending", async () => {
    const user = userEvent.setup();
    be.extra.get_company = () => null;
    renderWithClient(<CompanyScreen />);
    await user.type(await screen.findByTestId("company-name"), "Solo");
    await user.click(screen.getByTestId("company-save"));
    expect(await screen.findByTestId("error-company_street")).toHaveTextContent("Give the street.");
    expect(screen.getByTestId("company-street")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("company-street")).toHaveFocus();
    expect(be.callsTo("execute_command")).toHaveLength(0);
  });

  it("puts the domain's refusal next to its field, address fields included", async () => {
    const user = userEvent.setup();
    be.extra.get_company = () => ACME;
    be.extra.execute_command = () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "too_long", message: "address.city is too long", field: "address.city", params: { max: 100 } } satisfies ErrorBody;
    };
    renderWithClient(<CompanyScreen />);
    await user.click(await screen.findByTestId("company-save"));
    await waitFor(() => expect(screen.getByTestId("company-city")).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getByTestId("error-company_city")).toHaveTextContent(/100/);
    expect(screen.queryByTestId("company-saved")).toBeNull();
  });

  it("shows the logo as documents print it, chooses another in the dialog and removes it", async () => {
    const user = userEvent.setup();
    let logo: Logo | null = LOGO;
    be.extra.get_company = () => ({ ...ACME, logo });
    be.extra.choose_file = () => "/home/anna/Pictures/logo.png";
    be.extra.set_company_logo = () => {
      logo = { ...LOGO, width: 300 };
      return { stream_id: COMPANY_ID, revision: 3, events: [], duplicate: false };
    };
    renderWithClient(<CompanyScreen />);
    expect(await screen.findByTestId("company-logo-info")).toHaveTextContent("PNG, 240 × 80 px, 13 KB");
    expect(screen.getByTestId("company-logo-image")).toHaveAttribute("src", `data:image/png;base64,${LOGO.data}`);
    await user.click(screen.getByTestId("company-logo-choose"));
    await waitFor(() => expect(screen.getByTestId("company-logo-info")).toHaveTextContent("PNG, 300 × 80 px"));
    expect(be.callsTo("choose_file")[0]?.args).toEqual({ purpose: "logo", suggestedName: null });
    expect(be.callsTo("set_company_logo")[0]?.args).toEqual({ path: "/home/anna/Pictures/logo.png" });
    be.extra.execute_command = () => {
      logo = null;
      return { stream_id: COMPANY_ID, revision: 4, events: [], duplicate: false };
    };
    await user.click(screen.getByTestId("company-logo-remove"));
    await waitFor(() => expect(screen.queryByTestId("company-logo-image")).toBeNull());
    expect(be.callsTo("execute_command").at(-1)?.args).toEqual({
      command: { type: "SetCompanyLogo", company_id: COMPANY_ID, logo: null },
    });
  });

  it("says why a file cannot be the logo and offers no logo before the details", async () => {
    const user = userEvent.setup();
    be.extra.get_company = () => ACME;
    be.extra.choose_file = () => "/home/anna/notes.txt";
    be.extra.set_company_logo = () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "invalid_logo", message: "the logo must be a readable PNG or JPEG image", field: "logo" } satisfies ErrorBody;
    };
    renderWithClient(<CompanyScreen />);
    await user.click(await screen.findByTestId("company-logo-choose"));
    expect(await screen.findByText("The logo must be a readable PNG or JPEG image.")).toBeInTheDocument();
    // A cancelled dialog changes nothing and says nothing.
    be.extra.choose_file = () => null;
    await user.click(screen.getByTestId("company-logo-choose"));
    await waitFor(() => expect(be.callsTo("choose_file")).toHaveLength(2));
    expect(be.callsTo("set_company_logo")).toHaveLength(1);
  });

  it("asks for the details before a logo", async () => {
    be.extra.get_company = () => null;
    renderWithClient(<CompanyScreen />);
    expect(await screen.findByTestId("company-logo-choose")).toBeDisabled();
    expect(screen.getByTestId("company-logo")).toHaveTextContent("Save your details first");
  });
});
