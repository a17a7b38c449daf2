// Drives Tally with LicenseSpring's Node SDK. The SDK signs every request and verifies LicenseSignature (over
// JSON.stringify of the parsed body) and license_signature on every answer with the given public key: an answer it
// accepts is one existing customers' apps accept. Prints one JSON line per call; exits non-zero on the first failure.
const { LicenseAPI } = require('@licensespring/node-sdk');

const [gateway, apiKey, sharedKey, publicKeyFile, product, licenseKey, hardwareId, feature] = process.argv.slice(2);
const api = new LicenseAPI({
  apiKey,
  sharedKey,
  apiPath: `${gateway}/api/v4`,
  publicKey: require('fs').readFileSync(publicKeyFile, 'utf8'),
  appName: 'tally-compat',
  appVersion: '1.0.0',
});
const identity = { product, license_key: licenseKey, hardware_id: hardwareId };

async function step(name, call) {
  try {
    const result = await call();
    console.log(JSON.stringify({ step: name, ok: true, result }));
  } catch (error) {
    console.log(JSON.stringify({ step: name, ok: false, error }));
    process.exit(1);
  }
}

async function refused(name, call) {
  try {
    const result = await call();
    console.log(JSON.stringify({ step: name, ok: false, error: 'expected a refusal', result }));
    process.exit(1);
  } catch (error) {
    console.log(JSON.stringify({ step: name, ok: true, error }));
  }
}

(async () => {
  await step('activateLicense', () => api.activateLicense({ ...identity, hostname: 'sdk-host', os_ver: 'linux' }));
  await step('checkLicense', () => api.checkLicense(identity));
  await step('addConsumption', () => api.addConsumption({ ...identity, consumptions: 3 }));
  await step('addFeatureConsumption', () => api.addFeatureConsumption({ ...identity, feature, consumptions: 2 }));
  await step('checkLicenseFeature', () => api.checkLicenseFeature({ ...identity, feature }));
  await refused('addConsumptionPastLimit', () => api.addConsumption({ ...identity, consumptions: 1000 }));
  await step('deactivateLicense', () => api.deactivateLicense({ ...identity, consumptions: 1 }));
})();
