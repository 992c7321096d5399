// Azure resources of the Ustad WhatsApp Inbox: a Flex Consumption Function App and every service it talks to.
// Raw resources only, no `br/public:` registry modules, so nothing has to be restored from a registry (AZURE.md §2e).
// Every setting the app reads (src/config.ts) is set below or named local-only in tests/unit/infra.test.ts.
targetScope = 'resourceGroup'

@description('Region of every regional resource.')
param location string = resourceGroup().location

@description('Prefix of resource names: 3–11 lowercase letters or digits (it also goes into the storage account name).')
@minLength(3)
@maxLength(11)
param namePrefix string = 'ustadwa'

@description('Display name of the Microsoft Entra user or group that administers Azure SQL.')
param sqlAdminLogin string

@description('Object id of that Entra principal.')
param sqlAdminObjectId string

@allowed([
  'User'
  'Group'
  'Application'
])
param sqlAdminPrincipalType string = 'Group'

@description('Where Communication Services keeps e-mail data at rest (e.g. Europe, United States).')
param emailDataLocation string = 'Europe'

@description('Web PubSub hub the app publishes to; WebPubSub__Hub.')
param webPubSubHub string = 'inbox'

@description('The default firm\'s WhatsApp phone number id (digits); WhatsApp__PhoneNumberId.')
@minLength(5)
param whatsAppPhoneNumberId string

@description('The default firm\'s WhatsApp Business Account id (digits), or empty.')
param whatsAppBusinessAccountId string = ''

param whatsAppGraphApiVersion string = 'v21.0'

@description('HMAC key of access tokens, at least 32 bytes; keep it stable across deployments or every session ends.')
@secure()
@minLength(32)
param jwtKey string

@description('System-user access token for the Graph API.')
@secure()
@minLength(1)
param whatsAppAccessToken string

@description('Meta app secret; signs the webhooks (X-Hub-Signature-256).')
@secure()
@minLength(16)
param whatsAppAppSecret string

@description('Webhook verification token (hub.verify_token) also entered in Meta\'s webhook settings.')
@secure()
@minLength(8)
param whatsAppVerifyToken string

@description('NetGSM user; empty turns SMS off (then the header and password must be empty too).')
param netGsmUsername string = ''

param netGsmHeader string = ''

@secure()
param netGsmPassword string = ''

@description('The client\'s password-reset page (http(s) URL), or empty; App__PasswordResetUrl. Reset e-mails link to it with the token.')
param passwordResetUrl string = ''

param bootstrapFirmId int = 1
param bootstrapAdminUserName string = 'admin'
@description('E-mail address of the first admin, so it can reset the one-time password printed in the log')
param bootstrapAdminEmail string = ''
@description('Phone of the first admin in international format (905551234567), for reset codes by SMS when it has no e-mail')
param bootstrapAdminPhone string = ''

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

var token = toLower(uniqueString(resourceGroup().id, namePrefix))
var names = {
  identity: 'id-${namePrefix}-${token}'
  plan: 'plan-${namePrefix}-${token}'
  functionApp: 'func-${namePrefix}-${token}'
  storage: take('st${namePrefix}${token}', 24)
  keyVault: take('kv-${namePrefix}-${token}', 24)
  sqlServer: 'sql-${namePrefix}-${token}'
  sqlDatabase: 'inbox'
  webPubSub: 'wps-${namePrefix}-${token}'
  emailService: 'ecs-${namePrefix}-${token}'
  communication: 'acs-${namePrefix}-${token}'
  logAnalytics: 'log-${namePrefix}-${token}'
  appInsights: 'appi-${namePrefix}-${token}'
}

// The names of src/storage/queue-catalogue.ts `queues` (a test keeps them equal); the module adds the -poison twins.
var appQueueNames = [
  'inbound-webhooks'
  'media-downloads'
  'outbound-messages'
  'notifications'
]
var deploymentContainer = 'app-package'
var netGsmEnabled = !empty(netGsmUsername)
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

func kvRef(secretUri string) string => '@Microsoft.KeyVault(SecretUri=${secretUri})'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: names.identity
  location: location
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    principalId: identity.properties.principalId
    queueNames: appQueueNames
    containerNames: [
      deploymentContainer
      'media'
      'uploads'
    ]
  }
}

module sql 'modules/sql.bicep' = {
  name: 'sql'
  params: {
    serverName: names.sqlServer
    databaseName: names.sqlDatabase
    location: location
    adminLogin: sqlAdminLogin
    adminObjectId: sqlAdminObjectId
    adminPrincipalType: sqlAdminPrincipalType
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    location: location
    principalId: identity.properties.principalId
  }
}

// mssql 12 maps `Authentication=Active Directory Integrated` (+ `Client Id`) to tedious' azure-active-directory-default,
// i.e. DefaultAzureCredential with this managed identity; it reads `Active Directory Default` as SQL login (tested).
var sqlConnectionString = 'Server=tcp:${sql.outputs.serverFqdn},1433;Database=${sql.outputs.databaseName};Authentication=Active Directory Integrated;Client Id=${identity.properties.clientId};Encrypt=True;Connection Timeout=60;'

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' = {
  name: names.webPubSub
  location: location
  kind: 'WebPubSub'
  sku: {
    name: 'Standard_S1'
    tier: 'Standard'
    capacity: 1
  }
  properties: {
    // The app signs client tokens and checks upstream ce-signature with the AccessKey, so local auth stays on.
    disableLocalAuth: false
    publicNetworkAccess: 'Enabled'
  }
}

resource webPubSubHubResource 'Microsoft.SignalRService/webPubSub/hubs@2024-03-01' = {
  parent: webPubSub
  name: webPubSubHub
  properties: {
    anonymousConnectPolicy: 'deny'
    eventHandlers: [
      {
        urlTemplate: 'https://${functionApp.properties.defaultHostName}/api/realtime/events'
        systemEvents: [
          'connected'
          'disconnected'
        ]
      }
    ]
  }
}

resource emailService 'Microsoft.Communication/emailServices@2025-05-01' = {
  name: names.emailService
  location: 'global'
  properties: {
    dataLocation: emailDataLocation
  }
}

resource emailDomain 'Microsoft.Communication/emailServices/domains@2025-05-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communication 'Microsoft.Communication/communicationServices@2025-05-01' = {
  name: names.communication
  location: 'global'
  properties: {
    dataLocation: emailDataLocation
    linkedDomains: [
      emailDomain.id
    ]
  }
}

var emailSenderAddress = 'DoNotReply@${emailDomain.properties.mailFromSenderDomain}'

resource keyVault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: names.keyVault
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    publicNetworkAccess: 'Enabled'
  }
}

resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, keyVaultSecretsUserRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource jwtKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: keyVault
  name: 'jwt-key'
  properties: {
    value: jwtKey
  }
}

resource whatsAppAccessTokenSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: keyVault
  name: 'whatsapp-access-token'
  properties: {
    value: whatsAppAccessToken
  }
}

resource whatsAppAppSecretSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: keyVault
  name: 'whatsapp-app-secret'
  properties: {
    value: whatsAppAppSecret
  }
}

resource whatsAppVerifyTokenSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: keyVault
  name: 'whatsapp-verify-token'
  properties: {
    value: whatsAppVerifyToken
  }
}

resource netGsmPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (netGsmEnabled) {
  parent: keyVault
  name: 'netgsm-password'
  properties: {
    value: netGsmPassword
  }
}

resource webPubSubConnectionSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: keyVault
  name: 'webpubsub-connection-string'
  properties: {
    value: webPubSub.listKeys().primaryConnectionString
  }
}

resource emailConnectionSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: keyVault
  name: 'email-connection-string'
  properties: {
    value: communication.listKeys().primaryConnectionString
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: names.plan
  location: location
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: names.functionApp
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.outputs.blobEndpoint}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// Flex Consumption sets the runtime in functionAppConfig: FUNCTIONS_WORKER_RUNTIME and friends must not be app settings.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: {
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identity.properties.clientId
    AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
    AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
    AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
    APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
    ConnectionStrings__DefaultConnection: sqlConnectionString
    WebPubSubConnectionString: kvRef(webPubSubConnectionSecret.properties.secretUri)
    WebPubSub__Hub: webPubSubHubResource.name
    Jwt__Key: kvRef(jwtKeySecret.properties.secretUri)
    Jwt__Issuer: 'ustad-whatsapp'
    Jwt__Audience: 'ustad-whatsapp-clients'
    Jwt__ExpiresMinutes: '480'
    WhatsApp__PhoneNumberId: whatsAppPhoneNumberId
    WhatsApp__BusinessAccountId: whatsAppBusinessAccountId
    WhatsApp__AccessToken: kvRef(whatsAppAccessTokenSecret.properties.secretUri)
    WhatsApp__VerifyToken: kvRef(whatsAppVerifyTokenSecret.properties.secretUri)
    WhatsApp__AppSecret: kvRef(whatsAppAppSecretSecret.properties.secretUri)
    WhatsApp__GraphBaseUrl: 'https://graph.facebook.com'
    WhatsApp__GraphApiVersion: whatsAppGraphApiVersion
    WhatsApp__MessagesPerSecond: '80'
    WhatsApp__SendTimeoutSeconds: '20'
    Email__ConnectionString: kvRef(emailConnectionSecret.properties.secretUri)
    Email__SenderAddress: emailSenderAddress
    Sms__NetGsm__Username: netGsmUsername
    Sms__NetGsm__Password: netGsmEnabled ? kvRef(netGsmPasswordSecret.properties.secretUri) : ''
    Sms__NetGsm__Header: netGsmHeader
    Sms__NetGsm__BaseUrl: 'https://api.netgsm.com.tr'
    App__PasswordResetUrl: passwordResetUrl
    Security__MaxFailedLoginAttempts: '5'
    Security__LockoutMinutes: '15'
    Security__PasswordResetTokenExpiryHours: '1'
    Security__JwtRefreshIntervalMinutes: '15'
    Security__PasswordMinLength: '12'
    Security__PasswordRequireComplexity: 'false'
    Security__TrustForwardedFor: 'true'
    Bootstrap__FirmId: string(bootstrapFirmId)
    Bootstrap__AdminUserName: bootstrapAdminUserName
    Bootstrap__AdminEmail: bootstrapAdminEmail
    Bootstrap__AdminPhone: bootstrapAdminPhone
  }
  dependsOn: [
    // Key Vault references and identity-based storage resolve only once the identity holds its roles.
    keyVaultSecretsUser
    storage
  ]
}

output functionAppName string = functionApp.name
output functionAppHostName string = functionApp.properties.defaultHostName
output whatsAppWebhookUrl string = 'https://${functionApp.properties.defaultHostName}/api/webhook'
output appIdentityName string = identity.name
output appIdentityClientId string = identity.properties.clientId
output sqlServerFqdn string = sql.outputs.serverFqdn
output sqlDatabaseName string = sql.outputs.databaseName
output keyVaultName string = keyVault.name
output webPubSubHostName string = webPubSub.properties.hostName
output emailSenderAddress string = emailSenderAddress
