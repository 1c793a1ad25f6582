// The applicant's details and the way the result is delivered, with the same rules the service applies.
const NAME = /^[^\d<>{}[\]\\/@#$%^*=+|~`"]+$/u;
const PHONE = /^0(3|5|7|8|9)\d{8}$|^02\d{9}$/;

export function normalisePhone(raw) {
  let digits = raw.replace(/[\s.\-()]/g, "");
  if (digits.startsWith("+84")) digits = `0${digits.slice(3)}`;
  else if (digits.startsWith("84") && digits.length === 11) digits = `0${digits.slice(2)}`;
  return digits;
}

function idNumber(value) {
  const digits = value.replace(/\s/g, "");
  if (!/^\d{12}$/.test(digits)) return ["v.idNumber", {}];
  const province = Number(digits.slice(0, 3));
  if (province < 1 || province > 96) return ["v.idProvince", {}];
  return null;
}

export const applicantSpecs = () => [
  { name: "applicant.full_name", label: ["applicant.fullName"], kind: "text", required: true, minLength: 2, maxLength: 100, autocomplete: "name", check: (v) => (NAME.test(v) ? null : ["v.name", {}]) },
  { name: "applicant.id_number", label: ["applicant.idNumber"], hint: ["applicant.idNumberHint"], kind: "text", required: true, inputmode: "numeric", autocomplete: "off", check: idNumber },
  { name: "applicant.phone", label: ["applicant.phone"], hint: ["applicant.phoneHint"], kind: "tel", required: true, autocomplete: "tel", check: (v) => (PHONE.test(normalisePhone(v)) ? null : ["v.phone", {}]) },
  { name: "applicant.email", label: ["applicant.email"], hint: ["applicant.emailHint"], kind: "email", maxLength: 254, autocomplete: "email" },
  { name: "applicant.address", label: ["applicant.address"], kind: "text", required: true, minLength: 5, maxLength: 300, autocomplete: "street-address" },
];

export function deliverySpecs(methods, currentMethod) {
  return [
    {
      name: "delivery.method",
      label: ["delivery.method"],
      kind: "radio",
      required: true,
      options: methods.map((m) => ({ value: m, label: [`delivery.${m}`] })),
    },
    {
      name: "delivery.address",
      label: ["delivery.address"],
      hint: ["delivery.addressHint"],
      kind: "text",
      maxLength: 300,
      autocomplete: "street-address",
      check: (v) => (currentMethod() === "postal" && v.length < 5 ? ["v.postalAddress", {}] : null),
    },
  ];
}

/** {applicant, delivery} from the field sets' values; empty optional values left out. */
export function applicantBody(values) {
  const applicant = {};
  for (const key of ["full_name", "id_number", "phone", "email", "address"]) {
    const value = values[`applicant.${key}`];
    if (value) applicant[key] = key === "id_number" ? value.replace(/\s/g, "") : value;
  }
  return applicant;
}

export function deliveryBody(values) {
  const delivery = { method: values["delivery.method"] };
  if (delivery.method === "postal" && values["delivery.address"]) delivery.address = values["delivery.address"];
  return delivery;
}
