// Parameters for infra/main.bicep. Secrets and per-environment ids come from the deploying shell's environment,
// never from this file; readEnvironmentVariable without a default stops the deployment when the variable is unset.
using 'main.bicep'

param namePrefix = 'ustadwa'

param sqlAdminLogin = readEnvironmentVariable('SQL_ADMIN_LOGIN')
param sqlAdminObjectId = readEnvironmentVariable('SQL_ADMIN_OBJECT_ID')
param sqlAdminPrincipalType = 'Group'

param emailDataLocation = 'Europe'
param webPubSubHub = 'inbox'

param whatsAppPhoneNumberId = readEnvironmentVariable('WHATSAPP_PHONE_NUMBER_ID')
param whatsAppBusinessAccountId = readEnvironmentVariable('WHATSAPP_BUSINESS_ACCOUNT_ID', '')
param whatsAppGraphApiVersion = 'v21.0'

param jwtKey = readEnvironmentVariable('JWT_KEY')
param whatsAppAccessToken = readEnvironmentVariable('WHATSAPP_ACCESS_TOKEN')
param whatsAppAppSecret = readEnvironmentVariable('WHATSAPP_APP_SECRET')
param whatsAppVerifyToken = readEnvironmentVariable('WHATSAPP_VERIFY_TOKEN')

param netGsmUsername = readEnvironmentVariable('NETGSM_USERNAME', '')
param netGsmHeader = readEnvironmentVariable('NETGSM_HEADER', '')
param netGsmPassword = readEnvironmentVariable('NETGSM_PASSWORD', '')

param passwordResetUrl = readEnvironmentVariable('PASSWORD_RESET_URL', '')

param bootstrapFirmId = 1
param bootstrapAdminUserName = 'admin'
param bootstrapAdminEmail = ''
param bootstrapAdminPhone = ''

param instanceMemoryMB = 2048
param maximumInstanceCount = 100
