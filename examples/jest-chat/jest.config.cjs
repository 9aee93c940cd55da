/** @type {import("jest").Config} */
module.exports = {
  preset: "jest-environment-durabox",
};
